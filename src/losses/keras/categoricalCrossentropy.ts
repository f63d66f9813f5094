import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { C, N, distributionRows, tensor, times } from '../samples.ts';
import { categoricalRow } from '../multiclass/kerasProbabilities.ts';
import { kerasLoss } from './kerasLoss.ts';
import { categoricalSimd } from '../simd/simd.ts';
import { fromLogits, kerasAxis, kerasLabelSmoothing } from './classificationParams.ts';

// ℓ = −Σ_c y′_c·log p_c along `axis`, y′ = y·(1 − ε) + ε/C; p = softmax(x) with from_logits, else x
// divided by its sum, then clipped to [1e-7, 1 − 1e-7]. The stable forms and the gradient are
// derived above categoricalRow (multiclass/kerasProbabilities.ts), shared with the Part 1 loss.
export const kerasCategoricalCrossentropy = kerasLoss({
  name: 'categorical_crossentropy',
  className: 'CategoricalCrossentropy',
  summary: "Keras's categorical cross-entropy: one-hot or soft targets, probabilities renormalised and clipped (or logits).",
  formula: 'ℓ = −Σ over axis of y′·log p, p = clip(x/Σx, 1e-7, 1 − 1e-7) or softmax(x)',
  predictions: 'probabilities (or logits with from_logits), any rank ≥ 1; `axis` holds the classes',
  targets: 'one-hot or soft labels, the shape of predictions',
  targetRule: 'same',
  params: z.strictObject({ from_logits: fromLogits, label_smoothing: kerasLabelSmoothing, axis: kerasAxis }),
  rules: ({ axis }) => ({ axis }),
  simd: ({ from_logits, label_smoothing }) => (x, t, D, lo, hi, out, weights) =>
    categoricalSimd(x, t, D, lo, hi, label_smoothing, from_logits, out, weights),
  row: (x, x0, t, t0, D, { from_logits, label_smoothing }, g, scale) => categoricalRow(x, x0, t, t0, D, from_logits, label_smoothing, g, scale),
  plot: probability('predicted probability p of the true class (two classes)', (p) => ({ predictions: [[p, 1 - p]], targets: [[1, 0]], dPredictions: [1, -1] })),
  sample: (r) => ({
    inputs: { predictions: tensor(distributionRows(r), [N, C]), targets: tensor(distributionRows(r), [N, C]), sample_weight: tensor(times(N, () => r.uniform(0, 2)), [N]) },
    params: { label_smoothing: 0.05 },
  }),
  example: { inputs: { predictions: [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], targets: [[1, 0, 0], [0, 1, 0]], sample_weight: [1, 0.5] }, params: { from_logits: false } },
  check: {
    related: [{ loss: 'categorical_crossentropy' }, { loss: 'cross_entropy' }],
    hypotheses: ['mean_over_elements', 'probabilities_as_logits', 'logits_as_probabilities', 'label_smoothing_convention', 'log_base'],
  },
});
