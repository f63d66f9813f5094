import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { rows } from '../samples.ts';
import { sparseRow } from '../multiclass/kerasProbabilities.ts';
import type { InputProblem, KernelInput } from '../types.ts';
import { kerasLoss } from './kerasLoss.ts';
import { crossEntropySimd } from '../simd/simd.ts';
import { fromLogits, kerasAxis } from './classificationParams.ts';

// ℓ = −log p_y along `axis` (the class axis, moved last), y the class index truncated to an
// integer as Keras casts it; p as for categorical_crossentropy. The stable forms and the gradient
// are derived above sparseRow (multiclass/kerasProbabilities.ts). ignore_class masks the samples
// whose target is that class: their value is 0, they pass no gradient, and Keras's reductions
// count only the others (kerasLoss.ts: applyMask).
interface Params {
  from_logits: boolean;
  ignore_class: number | null;
  axis: number;
}

/** Every class index that counts must name a class. */
function classesInRange({ targets: t, cols: C, params: { ignore_class } }: KernelInput<Params>, lo: number, hi: number): InputProblem | null {
  for (let r = lo; r < hi; r++) {
    const y = Math.trunc(t[r]);
    if (t[r] === ignore_class || (y >= 0 && y < C)) continue;
    return { code: 'class_index_out_of_range', field: 'targets', index: r, detail: `targets[${r}] = ${t[r]}: class index out of range [0, ${C})${ignore_class === null ? '' : ` (and not ignore_class ${ignore_class})`}` };
  }
  return null;
}

export const kerasSparseCategoricalCrossentropy = kerasLoss<Params>({
  name: 'sparse_categorical_crossentropy',
  className: 'SparseCategoricalCrossentropy',
  summary: "Keras's sparse categorical cross-entropy: class-index targets, probabilities renormalised and clipped (or logits), an optional ignored class.",
  formula: 'ℓ = −log p_y, p = clip(x/Σx, 1e-7, 1 − 1e-7) or softmax(x) along axis',
  predictions: 'probabilities (or logits with from_logits), any rank ≥ 1; `axis` holds the classes',
  targets: "class indices: the predictions' shape without the class axis (a trailing 1 is squeezed)",
  targetRule: 'indices',
  params: z.strictObject({
    from_logits: fromLogits,
    ignore_class: z.number().int({ error: 'ignore_class must be an integer or null' }).nullable().default(null).meta({ description: 'A target class whose samples are left out (value 0, no gradient, not counted by the mean).' }),
    axis: kerasAxis,
  }),
  rules: ({ axis, ignore_class }) => ({ axis, mask: ignore_class === null ? undefined : (t) => Uint8Array.from(t, (y) => (y === ignore_class ? 0 : 1)) }),
  checkData: classesInRange,
  // Logits: cross_entropy's SIMD kernel with the row weights (class indices truncated as Keras
  // casts them: the kernel's int conversion truncates); probabilities take one log per row.
  simd: ({ from_logits }) => (from_logits ? (x, t, D, lo, hi, out, weights) => crossEntropySimd(x, t, D, lo, hi, Number.NaN, out, { rows: weights }) : null),
  row: (x, x0, t, t0, D, { from_logits }, g, scale) => sparseRow(x, x0, Math.trunc(t[t0]), D, from_logits, g, scale),
  plot: probability('predicted probability p of the true class (two classes)', (p) => ({ predictions: [[p, 1 - p]], targets: [0], dPredictions: [1, -1] })),
  sample: (r) => ({ ...rows(r, () => r.uniform(0.1, 2)), params: { from_logits: r.uniform() < 0.5 } }),
  example: { inputs: { predictions: [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], targets: [0, 1], sample_weight: [1, 0.5] }, params: { from_logits: false } },
  check: {
    related: [{ loss: 'cross_entropy' }, { loss: 'sparse_categorical_crossentropy' }],
    hypotheses: ['probabilities_as_logits', 'logits_as_probabilities', 'log_base'],
  },
});
