import { noParams } from '../params.ts';
import { residual } from '../plotSlices.ts';
import { EPSILON, elementwiseRows, kerasLoss } from './kerasLoss.ts';
import { kerasSample } from './regressionSamples.ts';

// ℓ = mean_k (x_k − y_k·log(x_k + ε)), ε = 1e-7;  dℓ/dx_k = (1 − y_k/(x_k + ε))/D.
export const kerasPoisson = kerasLoss({
  name: 'poisson',
  className: 'Poisson',
  summary: "Keras's Poisson loss: the predictions are rates, the targets counts.",
  formula: 'ℓ = mean over the last axis of x − y·log(x + 1e-7)',
  predictions: 'rates, any rank ≥ 1; the last axis is averaged per sample',
  targets: 'counts, broadcastable to predictions',
  targetRule: 'broadcast',
  params: noParams,
  // poisson_nll's rate form: log_input 0, eps ε, full 0.
  simd: () => elementwiseRows('poisson_nll', { params: [0, EPSILON, 0] }),
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const xk = x[x0 + k];
      const y = t[t0 + k];
      s += xk - y * Math.log(xk + EPSILON);
      if (g !== null) g[x0 + k] = ((1 - y / (xk + EPSILON)) / D) * scale;
    }
    return s / D;
  },
  plot: residual([-0.9, 3], 1),
  sample: (r) => kerasSample(r, () => r.uniform(0.2, 3), () => r.int(6)),
  example: { inputs: { predictions: [[0.5, 1.8], [2.3, 0.9]], targets: [[0, 2], [3, 1]] } },
  check: {
    related: [{ loss: 'poisson_nll', params: { log_input: false } }],
  },
});
