// From decoded tensors and parsed parameters to a task a kernel can run: the loss's shape rules
// and its parameter checks, all O(1), on the main thread. The checks that read every element
// (finiteness, the loss's domain, the mean's denominator) run with the kernel, where large
// requests are split across workers (computeLoss.ts). Shared by POST /loss and the v2 infer route,
// so both refuse the same requests with the same messages.
import { ServiceError } from '../errors/catalog.ts';
import { byRows, kernelSlots, type FloatArray, type KernelInput, type LossDefinition, type Reduction, type SentTensors, type TargetArray } from '../losses/types.ts';
import { freshShared, isShared } from '../pool/taskArrays.ts';
import type { LossTask } from '../task/lossTask.ts';
import { convertTargets } from '../pool/computeLoss.ts';
import { assertInputFinite } from './datatypes.ts';
import { broadcastIndex, broadcastShape, elementCount, sameShape, shapeText, transposeMiddle, type Transposition } from '../losses/layout.ts';
import { float64Array } from '../losses/arena.ts';
import { broadcastTo } from './broadcastParams.ts';

export interface TensorView<A> {
  data: A;
  shape: number[];
  /** A label input's strings and booleans as sent (TensorInput.labels). */
  labels?: readonly (string | number | boolean)[];
}

export interface LossRequestParts {
  def: LossDefinition;
  predictions: TensorView<FloatArray>;
  /** Targets the kernels read, or, with `rawTargets`, only their shape (data may be empty). */
  targets: TensorView<TargetArray>;
  /** The loss's other tensor inputs by name (LossDefinition.inputs), each of the predictions' shape. */
  extra?: Record<string, TensorView<FloatArray>>;
  /** INT64 or BOOL targets as they arrived: converted to float64 where the kernel runs. */
  rawTargets?: BigInt64Array | Uint8Array;
  /** Binary tensors may hold NaN or ±Infinity: check them (JSON cannot hold them). */
  checkFinite?: boolean;
  /** Where shared buffers come from (a request's buffer lease). */
  allocateShared?: (bytes: number) => SharedArrayBuffer;
  /** Parameters already parsed by `def.params` (defaults applied). */
  params: unknown;
  reduction: Reduction;
  wantPerSample: boolean;
  wantGradient: boolean;
  regularization: { l1: number; l2: number; parameters: FloatArray } | null;
}

/** The kernel's slots filled from the request's tensors by input name (the loss's declaration,
 *  losses/types.ts): the first input, the targets (empty for a loss without), the others. */
export function slotTensors(def: LossDefinition, tensorOf: (name: string) => TensorView<FloatArray> | undefined): Pick<LossRequestParts, 'predictions' | 'targets' | 'extra'> {
  const slots = kernelSlots(def);
  const extra: Record<string, TensorView<FloatArray>> = {};
  for (const { name } of slots.extra) {
    const t = tensorOf(name);
    if (t !== undefined) extra[name] = t; // an optional input left out (required ones are refused later)
  }
  return {
    predictions: tensorOf(slots.predictions)!,
    // Empty targets are made per request: a task's arrays move to the worker that computes it.
    targets: slots.targets === null ? { data: new Float64Array(0), shape: [] } : tensorOf(slots.targets)!,
    extra,
  };
}


/** The reductions a loss takes, its default first: PyTorch's mean, sum (kl_div's batchmean) and
 *  none, or the loss's own (Keras's five). */
export function reductionsOf(def: LossDefinition): Reduction[] {
  return [...(def.reductions ?? ['mean', 'sum', 'none'])];
}

/** Why reduction none cannot answer a gradient (or a regularized value), with what to use instead. */
export function unreducedRefusal(def: LossDefinition, what: 'gradient' | 'regularization'): string {
  const scalar = reductionsOf(def).filter((r) => r !== 'none');
  const why =
    what === 'gradient'
      ? 'a gradient is the derivative of one scalar value, and reduction none answers per_sample alone'
      : 'regularization adds to the reduced value, and reduction none answers per_sample alone';
  return `${why}: use reduction ${scalar.slice(0, -1).join(', ')} or ${scalar[scalar.length - 1]}`;
}

/** Whether the targets are class indices (else they have the predictions' shape); refuses shapes
 *  that disagree, naming the shapes as the request sent them. */
function targetsAreClassIndices(def: LossDefinition, p: readonly number[], t: readonly number[], sentP: readonly number[], sentT: readonly number[]): boolean {
  const indicesOk = byRows(def) && t.length === 1 && t[0] === p[0];
  if (def.tensors.targetLayout === 'none') return false;
  const sameOk = sameShape(p, t);
  // Written only into a refusal (formatting it on every request showed in profiles).
  const indexShape = () => (sentP.length === 1 ? '[] (a bare number)' : shapeText([sentP[0], ...sentP.slice(2)]));
  switch (def.tensors.targetLayout) {
    case 'same':
      if (sameOk) return false;
      throw new ServiceError('shape_mismatch', `targets have shape ${shapeText(sentT)} but predictions ${shapeText(sentP)}; ${def.name} needs the same shape (nothing is broadcast)`, { field: 'targets' });
    case 'indices':
      if (indicesOk) return true;
      throw new ServiceError('shape_mismatch', `targets have shape ${shapeText(sentT)}; ${def.name} needs class indices of shape ${indexShape()} for predictions ${shapeText(sentP)}`, { field: 'targets' });
    case 'indices-or-same':
      if (indicesOk) return true;
      if (sameOk) return false;
      throw new ServiceError(
        'shape_mismatch',
        `targets have shape ${shapeText(sentT)}; ${def.name} needs class indices ${indexShape()} or probabilities ${shapeText(sentP)} for predictions ${shapeText(sentP)}`,
        { field: 'targets' },
      );
  }
}

interface KernelLayout {
  /** Predictions as the row kernel reads them: [R, C], class axis last. */
  shape: number[];
  predictions: FloatArray;
  /** Targets' shape as the kernel reads them ([R] indices or [R, C] probabilities). */
  targetShape: number[];
  targets: TargetArray;
  shapes: LossTask['shapes'];
  transpose: Transposition | null;
}

/** Row losses take [N, C]; where the loss says so, also unbatched [C] (a rank-0 class index or [C]
 *  probabilities: one row) and [N, C, d1, …, dk] (class axis 1: moved last, [N·D, C]). Sequence
 *  losses take [T, N, C] (moved sample-major, [N, T, C]) or unbatched [T, C]. Other losses run
 *  on the request's shapes as they are. */
function kernelLayout(def: LossDefinition, { predictions, targets, rawTargets, allocateShared }: LossRequestParts): KernelLayout {
  const p = predictions.shape;
  const t = targets.shape;
  const asRequested = { shape: p, predictions: predictions.data, targetShape: t, targets: targets.data, transpose: null };
  if (def.tensors.layout === 'elementwise') {
    if (def.tensors.shapes?.broadcastTargets && !sameShape(t, p)) return { ...asRequested, ...broadcastTargets(def, p, t, rawTargets === undefined ? targets.data : convertedTargets(rawTargets)), shapes: { gradient: p, perSample: p } };
    return { ...asRequested, shapes: { gradient: p, perSample: p } };
  }
  if (def.tensors.layout === 'sequences') {
    const first = kernelSlots(def).predictions;
    if (p.length === 2) return { ...asRequested, shape: [1, p[0], p[1]], shapes: { gradient: p, perSample: [] } };
    if (p.length !== 3) throw new ServiceError('shape_mismatch', `${def.name} takes ${first} of shape [T, N, C] or [T, C]; got ${shapeText(p)}`, { field: first });
    const [steps, n, c] = p;
    const transpose = { outer: 1, a: steps, b: n, inner: c };
    return { ...asRequested, shape: [n, steps, c], predictions: transposeMiddle(predictions.data, transpose, true, allocateShared), shapes: { gradient: p, perSample: [n] }, transpose };
  }
  if (p.length === 2) return { ...asRequested, shapes: { gradient: p, perSample: [p[0]] } };
  // Unbatched [C], or rank 0 where the loss takes it (one sample of one class), as one row.
  if ((p.length === 1 && def.tensors.shapes?.unbatched) || (p.length === 0 && def.tensors.shapes?.scalar)) {
    const c = p.length === 0 ? 1 : p[0];
    const probabilities = def.tensors.targetLayout !== 'indices' && (sameShape(t, [c]) || (p.length === 0 && t.length === 0));
    // A class index of shape [1] where PyTorch takes it: its per-sample value has that shape too.
    const indexOfOne = !probabilities && def.tensors.shapes?.indexOfOne === true && sameShape(t, [1]);
    return {
      shape: [1, c],
      predictions: predictions.data,
      // A rank-0 class index is the one row's; any other shape is refused (as PyTorch does).
      targetShape: probabilities ? [1, c] : t.length === 0 || indexOfOne ? [1] : [-1],
      targets: targets.data,
      shapes: { gradient: p, perSample: indexOfOne ? [1] : [] },
      transpose: null,
    };
  }
  if (p.length >= 3 && def.tensors.shapes?.spatial) {
    const [n, c, ...rest] = p;
    const d = elementCount(rest);
    const transpose = { outer: n, a: c, b: d, inner: 1 };
    const probabilities = sameShape(t, p);
    const indices = sameShape(t, [n, ...rest]);
    return {
      shape: [n * d, c],
      predictions: transposeMiddle(predictions.data, transpose, true, allocateShared),
      targetShape: probabilities ? [n * d, c] : indices ? [n * d] : t,
      targets: probabilities ? transposeMiddle(targets.data as Float64Array, transpose, true, allocateShared) : targets.data,
      shapes: { gradient: p, perSample: [n, ...rest] },
      transpose,
    };
  }
  const accepted = ['[N, C]', ...(def.tensors.shapes?.unbatched ? ['[C]'] : []), ...(def.tensors.shapes?.spatial ? ['[N, C, d1, …]'] : [])].join(' or ');
  const first = kernelSlots(def).predictions;
  throw new ServiceError('shape_mismatch', `${def.name} takes ${first} of shape ${accepted}; got ${shapeText(p)}`, { field: first });
}

/** Targets of another shape than the predictions' that broadcast to it (numpy's rules), expanded
 *  to it for the kernel; a shape that broadcasts to anything larger is refused. */
function broadcastTargets(def: LossDefinition, p: number[], t: number[], data: TargetArray): Pick<KernelLayout, 'targets' | 'targetShape'> {
  const shape = broadcastShape(p, t);
  if (shape === null || !sameShape(shape, p)) {
    const result = shape === null ? "they do not broadcast (numpy's rules: aligned from the last dimension, each 1 or equal)" : `they broadcast to ${shapeText(shape)}, larger than predictions`;
    throw new ServiceError('shape_mismatch', `targets have shape ${shapeText(t)} and predictions ${shapeText(p)}: ${result}; ${def.name} takes targets that broadcast to the predictions' shape`, { field: 'targets' });
  }
  const index = broadcastIndex(t, p);
  const expanded = new (data.constructor as { new (n: number): TargetArray })(index.length);
  for (let i = 0; i < index.length; i++) expanded[i] = data[index[i]];
  return { targets: expanded, targetShape: p };
}

/** An integer input (lengths, labels) as float64, whatever it arrived as; the first element that
 *  is not an exact integer is named. */
function integers(name: string, data: ArrayLike<number | bigint>): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (!Number.isSafeInteger(v)) {
      throw new ServiceError('invalid_tensor', `${name}[${i}] = ${data[i]}: ${name} must hold integers${Number.isInteger(v) ? ' within ±2^53' : ''}`, { field: name, index: i });
    }
    out[i] = v;
  }
  return out;
}

/** The other tensor inputs: each of the first input's shape, or (shape 'same-or-per-row') one
 *  value per row, expanded along the last dimension for the kernel. */
function extraInputs(
  def: LossDefinition,
  parts: LossRequestParts,
): { extra: Record<string, FloatArray>; shapes: Record<string, number[]>; freeShapes: Record<string, number[]>; perRow: string[] } {
  const extra: Record<string, FloatArray> = {};
  const shapes: Record<string, number[]> = {};
  const freeShapes: Record<string, number[]> = {};
  const perRow: string[] = [];
  const slots = kernelSlots(def);
  const first = slots.predictions;
  const p = parts.predictions.shape;
  for (const input of slots.extra) {
    const { name } = input;
    const t = parts.extra?.[name];
    if (t === undefined && input.optional) continue;
    if (t === undefined) throw new ServiceError('invalid_body', `${def.name} needs the input '${name}'`, { field: name });
    shapes[name] = t.shape;
    if (input.shape === 'free') {
      // Checked by the loss (checkParams), whole: these are small (lengths, labels).
      extra[name] = input.integer ? integers(name, t.data as ArrayLike<number | bigint>) : t.data;
      if (!input.integer && parts.checkFinite) assertInputFinite(t.data, name);
      freeShapes[name] = t.shape;
      continue;
    }
    if (input.nonNegative) {
      const i = t.data.findIndex((v) => v < 0);
      if (i >= 0) throw new ServiceError('prediction_out_of_domain', `${name}[${i}] = ${t.data[i]}: ${name} must be ≥ 0`, { field: name, index: i });
    }
    if (sameShape(t.shape, p)) {
      extra[name] = t.data;
      continue;
    }
    const rowShape = p.slice(0, -1);
    const perRowShape = input.shape === 'same-or-per-row' && (sameShape(t.shape, rowShape) || sameShape(t.shape, [...rowShape, 1]) || (p.length === 1 && sameShape(t.shape, [1])));
    if (!perRowShape) {
      const accepted = input.shape === 'same-or-per-row' ? `${shapeText(p)}, ${shapeText([...rowShape, 1])} or ${shapeText(rowShape)}` : shapeText(p);
      throw new ServiceError('shape_mismatch', `${name} has shape ${shapeText(t.shape)}; for ${first} ${shapeText(p)} ${def.name} takes ${accepted}`, { field: name });
    }
    const last = p.length === 0 ? 1 : p[p.length - 1];
    const expanded = new (t.data.constructor as { new (n: number): FloatArray })(t.data.length * last);
    for (let r = 0; r < t.data.length; r++) expanded.fill(t.data[r], r * last, (r + 1) * last);
    extra[name] = expanded;
    perRow.push(name);
  }
  return { extra, shapes, freeShapes, perRow };
}


/** INT64 or BOOL targets as float64, on the main thread (for losses that arrange their own
 *  shapes), by the conversion the kernels' check phase runs for the others. */
function convertedTargets(raw: BigInt64Array | Uint8Array): Float64Array {
  const out = new Float64Array(raw.length);
  const problem = convertTargets(raw, out, 0, raw.length);
  if (problem !== null) throw new ServiceError(problem.code, problem.detail, { field: problem.field, index: problem.index });
  return out;
}

/** A loss that arranges its own shapes (LossDefinition.arrange): its answer, or its refusal. */
function arranged(def: LossDefinition, parts: LossRequestParts, extra: Record<string, FloatArray>) {
  const slots = kernelSlots(def);
  const targets = parts.rawTargets === undefined ? parts.targets : { data: convertedTargets(parts.rawTargets), shape: parts.targets.shape };
  // Its targets need not match the predictions element for element: checked whole, here.
  // (Labels that are strings have no number to check: the loss reads them from `labels`.)
  if (parts.checkFinite && (targets as TensorView<TargetArray>).labels === undefined) assertInputFinite(targets.data, 'targets');
  const sent: SentTensors = { [slots.predictions]: parts.predictions, ...(slots.targets === null ? {} : { [slots.targets]: targets }) };
  for (const [name, data] of Object.entries(extra)) sent[name] = { data, shape: parts.extra![name].shape };
  const a = def.tensors.arrange!(sent, parts.params, parts.reduction);
  if ('code' in a) throw new ServiceError(a.code, a.detail, { field: a.field, index: a.index });
  return a;
}

export function prepareLossTask(parts: LossRequestParts): LossTask {
  const { def, reduction } = parts;
  if (!reductionsOf(def).includes(reduction)) {
    throw new ServiceError('invalid_body', `reduction '${reduction}' is not available for ${def.name}; use ${reductionsOf(def).join(', ')}`, { field: 'reduction' });
  }
  if (reduction === 'none' && parts.wantGradient) throw new ServiceError('invalid_body', unreducedRefusal(def, 'gradient'), { field: 'include' });
  if (reduction === 'none' && parts.regularization !== null) throw new ServiceError('invalid_body', unreducedRefusal(def, 'regularization'), { field: 'regularization' });
  const extras = extraInputs(def, parts);
  const own = def.tensors.arrange ? arranged(def, parts, extras.extra) : null;
  const layout = own ?? kernelLayout(def, parts);
  const shape = layout.shape;
  const targetsAreIndices = own?.targetsAreIndices ?? targetsAreClassIndices(def, shape, (layout as KernelLayout).targetShape, parts.predictions.shape, parts.targets.shape);
  // Targets that arrived as INT64 or BOOL are converted where the kernel runs, unless the layout
  // already made its own array of them (broadcast targets).
  const raw = own === null && layout.targets === parts.targets.data ? (parts.rawTargets ?? null) : null;
  const params = { ...(parts.params as Record<string, unknown>) };
  for (const name of def.tensors.broadcastParams ?? []) if (params[name] !== undefined) params[name] = broadcastTo(params[name], shape, name);
  const input: KernelInput<unknown> = {
    predictions: layout.predictions,
    // Raw targets are converted into a float64 array of their length, shared if they are.
    targets:
      raw === null
        ? layout.targets
        : isShared(raw.buffer) ? new Float64Array((parts.allocateShared ?? freshShared)(raw.length * 8)) : float64Array(raw.length),
    shape,
    rows: byRows(def) ? shape[0] : layout.predictions.length,
    cols: byRows(def) ? elementCount(shape.slice(1)) : 1,
    targetsAreIndices,
    params,
    extra: { ...extras.extra, ...own?.extra },
    sentShapes: { [kernelSlots(def).predictions]: parts.predictions.shape, ...extras.freeShapes },
  };
  const refusal = def.checks?.refuseOutputs?.(parts.params, { perSample: parts.wantPerSample, gradient: parts.wantGradient }) ?? null;
  if (refusal !== null) throw new ServiceError(refusal.code, refusal.detail, { field: refusal.field, index: refusal.index });
  const problem = def.checks?.checkParams?.(input) ?? null;
  if (problem !== null) throw new ServiceError(problem.code, problem.detail, { field: problem.field, index: problem.index });
  if (def.checks?.derive) Object.assign(input.extra, def.checks?.derive(input));
  return {
    loss: def.name,
    input,
    reduction,
    wantPerSample: parts.wantPerSample || reduction === 'none',
    wantGradient: parts.wantGradient,
    regularization: parts.regularization,
    checkFinite: parts.checkFinite ?? false,
    rawTargets: raw,
    shapes: { ...layout.shapes, inputs: extras.shapes },
    perRowInputs: extras.perRow,
    transpose: layout.transpose,
    denominator: own?.denominator ?? null,
    weighting: own?.weighting ?? null,
  };
}
