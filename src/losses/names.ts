// The names a loss answers to. A loss declares its library's own names once (PyTorch's functional
// name and nn class, or Keras's function and class); users write them as they do in their code,
// bare or qualified (`mse_loss`, `MSELoss`, `F.mse_loss`, `torch.nn.MSELoss`, `nn.MSELoss`,
// `keras.losses.BinaryCrossentropy`, `tf.keras.losses.binary_crossentropy`), and every form
// resolves to the loss. A name that resolves to nothing is answered with the closest ones.
import leven from 'leven';

/** A loss's names in the library whose semantics it follows. */
export interface LibraryNames {
  /** PyTorch: `functional` in torch.nn.functional (or torchvision.ops, `namespace`), `module` the
   *  torch.nn class. */
  torch?: { functional: string; module?: string; namespace?: 'torch.nn.functional' | 'torchvision.ops' };
  /** Keras 3: `function` and `class` in keras.losses. */
  keras?: { function: string; class: string };
  /** scikit-learn: `function` in sklearn.metrics (the loss's own name is sklearn.<function>). */
  sklearn?: { function: string };
}

/** Every spelling of a library's names that user code writes. */
export function libraryNameForms(names: LibraryNames | undefined): string[] {
  const forms: string[] = [];
  const torch = names?.torch;
  if (torch !== undefined) {
    const f = torch.functional;
    if (torch.namespace === 'torchvision.ops') forms.push(f, `torchvision.ops.${f}`, `ops.${f}`);
    else forms.push(f, `torch.nn.functional.${f}`, `nn.functional.${f}`, `F.${f}`);
    if (torch.module !== undefined) forms.push(torch.module, `torch.nn.${torch.module}`, `nn.${torch.module}`);
  }
  const keras = names?.keras;
  if (keras !== undefined) {
    // No bare forms: `categorical_crossentropy` unprefixed is the spec's (PyTorch-style) loss.
    for (const n of [keras.function, keras.class]) forms.push(`keras.${n}`, `keras.losses.${n}`, `tf.keras.losses.${n}`);
  }
  const sklearn = names?.sklearn;
  if (sklearn !== undefined) forms.push(`sklearn.metrics.${sklearn.function}`);
  return forms;
}

/** The names (at most `max`, one per target) closest to `given`, ignoring case: within two edits,
 *  or a third of the name's length for long names; a name that contains `given`, or is contained
 *  in it, also counts (`MSE` → `MSELoss`). Only the best are offered: one edit away, those alone;
 *  further, those up to one edit further still. `candidates` maps each name to what it names. */
export function closestNames<T>(given: string, candidates: ReadonlyMap<string, T>, max = 3): string[] {
  const wanted = given.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  const scored: { name: string; target: T; score: number }[] = [];
  for (const [name, target] of candidates) {
    const lower = name.toLowerCase();
    let score = leven(wanted, lower, { maxDistance: limit + 1 });
    // A prefix or a part of the name: close, but after a real near-miss.
    if (score > limit && wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower))) score = limit + 0.5;
    if (score <= limit + 0.5) scored.push({ name, target, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.length - b.name.length || (a.name < b.name ? -1 : 1));
  const best = scored[0]?.score ?? 0;
  const seen = new Set<T>();
  const names: string[] = [];
  for (const s of scored) {
    if (s.score > best + (best >= 2 ? 1 : 0)) break;
    if (seen.has(s.target)) continue;
    seen.add(s.target);
    names.push(s.name);
    if (names.length === max) break;
  }
  return names;
}

/** "did you mean a, b or c?", or '' when nothing is close. */
export function didYouMean(names: readonly string[]): string {
  if (names.length === 0) return '';
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
  return `did you mean ${list}?`;
}
