import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { crossEntropySimd, rowsFit } from '../simd/simd.ts';
import { classIndices } from '../checks.ts';
import { probabilityRows, sparseRow } from './kerasProbabilities.ts';
import { rows } from '../samples.ts';

// ℓ = −log p_y, the row's stable form and gradient derived above sparseRow (kerasProbabilities.ts).
type Params = { from_logits: boolean };

/** The scalar kernel: sparseRow over each row. */
function scalar({ predictions: x, targets: t, cols: C, params: { from_logits } }: KernelInput<Params>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let r = lo; r < hi; r++) {
    const v = sparseRow(x, r * C, t[r], C, from_logits, gradient, gradScale);
    sum += v;
    if (perSample !== null) perSample[r] = v;
  }
  return sum;
}

export const sparseCategoricalCrossentropy = defineLoss({
  name: 'sparse_categorical_crossentropy',
  aliases: [],
  family: 'multiclass',
  docs: {
    summary: "Keras's sparse categorical cross-entropy: class-index targets, on probabilities or logits.",
    formula: 'ℓ = −log p_y (p renormalised and clipped to [1e-7, 1−1e-7] when not logits)',
    reductionRule: 'mean divides Σℓ by N.',
    reference: 'Keras SparseCategoricalCrossentropy',
    predictions: 'probabilities [N, C] (≥ 0, rows renormalised), or logits [N, C] with from_logits',
    targets: 'class indices [N]: integers in [0, C)',
  },
  tensors: {
    layout: 'rows',
    targetLayout: 'indices',
  },
  params: z.strictObject({
    from_logits: z.boolean().default(false).meta({ description: 'true: predictions are logits; false: probabilities.' }),
  }),
  checks: {
    checkData: (input, lo, hi) => classIndices(input, lo, hi) ?? (input.params.from_logits ? null : probabilityRows(input, lo, hi)),
  },
  // Logits: cross_entropy's SIMD kernel (lse − x_y, the same derivation); probabilities take one
  // log per row and stay in the scalar loop, which is the reference of both.
  kernel: (input, lo, hi, out) =>
    input.params.from_logits && rowsFit(input.cols) ? crossEntropySimd(input.predictions, input.targets, input.cols, lo, hi, Number.NaN, out) : scalar(input, lo, hi, out),
  scalarKernel: scalar,
  demo: {
    plot: probability('predicted probability p of the true class (two classes)', (p) => ({ predictions: [[p, 1 - p]], targets: [0], dPredictions: [1, -1] })),
    sample: (r) => ({ ...rows(r, () => r.uniform(0.1, 2)), params: { from_logits: r.uniform() < 0.5 } }),
    example: { predictions: [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], targets: [0, 1] },
  },
  check: {
    related: [{ loss: 'keras.sparse_categorical_crossentropy' }, { loss: 'cross_entropy' }],
    hypotheses: ['log_base'],
  },
});
