import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { categoricalSimd, rowsFit } from '../simd/simd.ts';
import { targetsInUnitInterval } from '../checks.ts';
import { labelSmoothing } from '../params.ts';
import { categoricalRow, probabilityRows } from './kerasProbabilities.ts';
import { distributionRows, tensor, N, C } from '../samples.ts';

// ℓ = −Σ_c t′_c·log p_c with smoothed targets: the row's stable forms and gradient are derived above
// categoricalRow (kerasProbabilities.ts), which keras.categorical_crossentropy shares.
const params = z.strictObject({
  from_logits: z.boolean().default(false).meta({ description: 'true: predictions are logits; false: probabilities.' }),
  label_smoothing: labelSmoothing,
});
type Params = z.output<typeof params>;

/** The scalar kernel: categoricalRow over each row. */
function scalar({ predictions: x, targets: t, cols: C, params: { from_logits, label_smoothing: eps } }: KernelInput<Params>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let r = lo; r < hi; r++) {
    const v = categoricalRow(x, r * C, t, r * C, C, from_logits, eps, gradient, gradScale);
    sum += v;
    if (perSample !== null) perSample[r] = v;
  }
  return sum;
}

export const categoricalCrossentropy = defineLoss({
  name: 'categorical_crossentropy',
  aliases: [],
  family: 'multiclass',
  docs: {
    summary: "Keras's categorical cross-entropy: one-hot or soft targets, on probabilities or logits.",
    formula: '−Σ_c t_c·log p_c, p renormalised to sum 1 and clipped to [1e-7, 1−1e-7] when not logits',
    reductionRule: 'mean divides Σℓ by N.',
    reference: 'Keras CategoricalCrossentropy',
    predictions: 'probabilities [N, C] (≥ 0, rows renormalised), or logits [N, C] with from_logits',
    targets: 'one-hot or probabilities [N, C] in [0, 1]',
  },
  tensors: {
    layout: 'rows',
    targetLayout: 'same',
  },
  params,
  checks: {
    checkData: (input, lo, hi) => targetsInUnitInterval(input, lo, hi) ?? (input.params.from_logits ? null : probabilityRows(input, lo, hi)),
  },
  // The rows in WebAssembly SIMD (simd/kernels.c: categorical_rows); the scalar loop over
  // categoricalRow stays as the reference.
  kernel(input, lo, hi, out) {
    const { predictions: x, targets: t, cols: C, params } = input;
    if (!rowsFit(C)) return scalar(input, lo, hi, out);
    return categoricalSimd(x, t, C, lo, hi, params.label_smoothing, params.from_logits, out);
  },
  scalarKernel: scalar,
  demo: {
    plot: probability('predicted probability p of the true class (two classes)', (p) => ({ predictions: [[p, 1 - p]], targets: [[1, 0]], dPredictions: [1, -1] })),
    sample: (r) => ({ inputs: { predictions: tensor(distributionRows(r), [N, C]), targets: tensor(distributionRows(r), [N, C]) }, params: { label_smoothing: 0.05 } }),
    example: { predictions: [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], targets: [[1, 0, 0], [0, 1, 0]] },
  },
  check: {
    related: [{ loss: 'keras.categorical_crossentropy' }, { loss: 'cross_entropy' }],
    hypotheses: ['mean_over_elements', 'log_base'],
  },
});
