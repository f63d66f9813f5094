import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { C, N, tensor, times } from '../samples.ts';
import { EPSILON, elementwiseRows, kerasLoss } from './kerasLoss.ts';
import { fromLogits, kerasAxis, kerasLabelSmoothing } from './classificationParams.ts';

// Targets smoothed to y′ = y·(1 − ε) + ε/2; the mean over `axis` of
//   from_logits: max(x, 0) − x·y′ + log1p(e^−|x|) (PyTorch's stable BCE with logits; Keras's
//     torch backend calls it), dℓ/dx = σ(x) − y′;
//   probabilities: p = clip(x, 1e-7, 1 − 1e-7), −(y′·log p + (1 − y′)·log(1 − p)) (Keras's clip,
//     where PyTorch clamps each log at −100), dℓ/dx = (p − y′)/(p·(1 − p)) inside the clip
//     (bounds included), 0 outside.
const HIGH = 1 - EPSILON;

export const kerasBinaryCrossentropy = kerasLoss({
  name: 'binary_crossentropy',
  className: 'BinaryCrossentropy',
  summary: "Keras's binary cross-entropy: probabilities clipped to [1e-7, 1 − 1e-7] (or logits), averaged over `axis`.",
  formula: 'ℓ = mean over axis of −(y·log p + (1 − y)·log(1 − p)), p = clip(x, 1e-7, 1 − 1e-7) or σ(x)',
  predictions: 'probabilities (or logits with from_logits), any rank ≥ 1',
  targets: 'labels in [0, 1], the shape of predictions',
  targetRule: 'same',
  params: z.strictObject({ from_logits: fromLogits, label_smoothing: kerasLabelSmoothing, axis: kerasAxis }),
  rules: ({ axis }) => ({ axis }),
  // Both forms' terms are elementwise: bce_with_logits's kernel, and the clipped one of kernels.c.
  simd: ({ from_logits, label_smoothing }) => elementwiseRows(from_logits ? 'bce_with_logits' : 'keras_binary_crossentropy', { smoothing: label_smoothing }),
  row(x, x0, t, t0, D, { from_logits, label_smoothing: eps }, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const y = t[t0 + k] * (1 - eps) + 0.5 * eps;
      const xk = x[x0 + k];
      if (from_logits) {
        s += Math.max(xk, 0) - xk * y + Math.log1p(Math.exp(-Math.abs(xk)));
        if (g !== null) g[x0 + k] = ((1 / (1 + Math.exp(-xk)) - y) / D) * scale;
      } else {
        const p = Math.min(Math.max(xk, EPSILON), HIGH);
        s -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
        if (g !== null) g[x0 + k] = xk >= EPSILON && xk <= HIGH ? ((p - y) / (p * (1 - p)) / D) * scale : 0;
      }
    }
    return s / D;
  },
  plot: probability('predicted probability p (target 1)', (p) => ({ predictions: [p], targets: [1], dPredictions: [1] })),
  sample: (r) => ({
    inputs: {
      predictions: tensor(times(N * C, () => r.uniform(0.05, 0.95)), [N, C]),
      targets: tensor(times(N * C, () => r.uniform()), [N, C]),
      sample_weight: tensor(times(N, () => r.uniform(0, 2)), [N]),
    },
    params: { label_smoothing: 0.1 },
  }),
  example: { inputs: { predictions: [[0.9, 0.2], [0.4, 0.7]], targets: [[1, 0], [0, 1]], sample_weight: [1, 2] }, params: { from_logits: false, label_smoothing: 0 } },
  check: {
    related: [{ loss: 'binary_cross_entropy' }, { loss: 'bce_with_logits' }],
    hypotheses: ['probabilities_as_logits', 'logits_as_probabilities', 'label_smoothing_convention', 'log_base'],
  },
});
