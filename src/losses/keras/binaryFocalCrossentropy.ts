import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { C, N, tensor, times } from '../samples.ts';
import { EPSILON, elementwiseRows, kerasLoss } from './kerasLoss.ts';
import { fromLogits, kerasAxis, kerasLabelSmoothing } from './classificationParams.ts';

// Keras's binary focal cross-entropy, the mean over `axis` of, per element (y′ the smoothed target,
// p = σ(x) with from_logits, else x):
//   bce = −(y′·log p̂ + (1 − y′)·log(1 − p̂)), p̂ = clip(p, 1e-7, 1 − 1e-7)
//   p_t = y′·p + (1 − y′)·(1 − p)            (the unclipped p, as Keras has it)
//   ℓ = w·(1 − p_t)^γ·bce,  w = y′·α + (1 − y′)·(1 − α) with apply_class_balancing, else 1.
// dℓ/dp = w·(−γ·(1 − p_t)^(γ−1)·(2y′ − 1)·bce + (1 − p_t)^γ·dbce/dp), where
// dbce/dp = (p̂ − y′)/(p̂·(1 − p̂)) inside the clip (bounds included) and 0 outside; the first term
// is 0 when γ = 0 (as torch's pow gives). With from_logits, dp/dx = p·(1 − p).
const HIGH = 1 - EPSILON;

export const kerasBinaryFocalCrossentropy = kerasLoss({
  name: 'binary_focal_crossentropy',
  className: 'BinaryFocalCrossentropy',
  summary: "Keras's binary focal cross-entropy: binary cross-entropy down-weighted by (1 − p_t)^γ for the easy examples.",
  formula: 'ℓ = mean over axis of w·(1 − p_t)^γ·bce(y, clip(p)), p_t = y·p + (1 − y)·(1 − p)',
  predictions: 'probabilities (or logits with from_logits), any rank ≥ 1',
  targets: 'labels in [0, 1], the shape of predictions',
  targetRule: 'same',
  params: z.strictObject({
    apply_class_balancing: z.boolean().default(false).meta({ description: 'true: weigh positives by alpha and negatives by 1 − alpha.' }),
    alpha: z.number().default(0.25).meta({ description: 'The positives\' weight with apply_class_balancing (no effect without).' }),
    gamma: z.number().min(0, { error: 'gamma must be ≥ 0' }).default(2.0).meta({ description: 'The focusing exponent γ ≥ 0 (0: plain binary cross-entropy).' }),
    from_logits: fromLogits,
    label_smoothing: kerasLabelSmoothing,
    axis: kerasAxis,
  }),
  rules: ({ axis }) => ({ axis }),
  simd: ({ gamma, alpha, from_logits, apply_class_balancing, label_smoothing }) =>
    elementwiseRows('keras_binary_focal_crossentropy', { params: [gamma, alpha, (from_logits ? 1 : 0) + (apply_class_balancing ? 2 : 0)], smoothing: label_smoothing }),
  row(x, x0, t, t0, D, { apply_class_balancing, alpha, gamma, from_logits, label_smoothing: eps }, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const y = t[t0 + k] * (1 - eps) + 0.5 * eps;
      const xk = x[x0 + k];
      const p = from_logits ? 1 / (1 + Math.exp(-xk)) : xk;
      const pc = Math.min(Math.max(p, EPSILON), HIGH);
      const bce = -(y * Math.log(pc) + (1 - y) * Math.log(1 - pc));
      const q = 1 - (y * p + (1 - y) * (1 - p)); // 1 − p_t
      const w = apply_class_balancing ? y * alpha + (1 - y) * (1 - alpha) : 1;
      const focal = q ** gamma;
      s += w * focal * bce;
      if (g === null) continue;
      const dBce = p >= EPSILON && p <= HIGH ? (pc - y) / (pc * (1 - pc)) : 0;
      const dFocal = gamma === 0 ? 0 : -gamma * q ** (gamma - 1) * (2 * y - 1);
      const dp = w * (dFocal * bce + focal * dBce);
      g[x0 + k] = ((from_logits ? dp * p * (1 - p) : dp) / D) * scale;
    }
    return s / D;
  },
  plot: probability('predicted probability p (target 1)', (p) => ({ predictions: [p], targets: [1], dPredictions: [1] })),
  sample: (r) => ({
    inputs: { predictions: tensor(times(N * C, () => r.normal() * 2), [N, C]), targets: tensor(times(N * C, () => r.int(2)), [N, C]), sample_weight: tensor(times(N, () => r.uniform(0, 2)), [N]) },
    params: { from_logits: true, apply_class_balancing: true, alpha: 0.3, gamma: 1.5 },
  }),
  example: { inputs: { predictions: [[0.9, 0.2], [0.4, 0.7]], targets: [[1, 0], [0, 1]] }, params: { gamma: 2, from_logits: false } },
});
