import { noParams } from '../params.ts';
import { probability } from '../plotSlices.ts';
import { C, N, distributionRows, tensor } from '../samples.ts';
import { EPSILON, elementwiseRows, kerasLoss } from './kerasLoss.ts';

// ℓ = Σ_k ŷ_k·log(ŷ_k/p̂_k) with ŷ = clip(y, 1e-7, 1), p̂ = clip(x, 1e-7, 1): a sum over the last
// axis, not a mean. dℓ/dx_k = −ŷ_k/p̂_k where 1e-7 ≤ x_k ≤ 1 (the clip passes the gradient at its
// bounds), 0 outside.
export const kerasKlDivergence = kerasLoss({
  name: 'kl_divergence',
  className: 'KLDivergence',
  summary: "Keras's Kullback–Leibler divergence between target and predicted distributions, both clipped to [1e-7, 1].",
  formula: 'ℓ = Σ over the last axis of ŷ·log(ŷ/p̂), ŷ = clip(y, 1e-7, 1), p̂ = clip(x, 1e-7, 1)',
  predictions: 'probabilities, any rank ≥ 1; the last axis is summed',
  targets: 'probabilities, broadcastable to predictions',
  targetRule: 'broadcast',
  params: noParams,
  simd: () => elementwiseRows('keras_kl_divergence', { sum: true }),
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const y = Math.min(Math.max(t[t0 + k], EPSILON), 1);
      const xk = x[x0 + k];
      const p = Math.min(Math.max(xk, EPSILON), 1);
      s += y * Math.log(y / p);
      if (g !== null) g[x0 + k] = xk >= EPSILON && xk <= 1 ? (-y / p) * scale : 0;
    }
    return s;
  },
  plot: probability('predicted probability p of the first of two classes (targets 0.7, 0.3)', (p) => ({ predictions: [[p, 1 - p]], targets: [[0.7, 0.3]], dPredictions: [1, -1] })),
  sample: (r) => ({ inputs: { predictions: tensor(distributionRows(r), [N, C]), targets: tensor(distributionRows(r), [N, C]) }, params: {} }),
  example: { inputs: { predictions: [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]], targets: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]] } },
  check: {
    related: [{ loss: 'kl_div' }],
  },
});
