import { noParams } from '../params.ts';
import { residual } from '../plotSlices.ts';
import { EPSILON, elementwiseRows, kerasLoss } from './kerasLoss.ts';
import { LAST_AXIS_MEAN, kerasSample } from './regressionSamples.ts';

// ℓ = mean_k (log(max(x_k, ε) + 1) − log(max(y_k, ε) + 1))², ε = 1e-7 (Keras's own clip, not
// PyTorch-style log1p of max(·, 0)); dℓ/dx_k = 2·(…)/(D·(x_k + 1)) where x_k > ε, else 0.
export const kerasMeanSquaredLogarithmicError = kerasLoss({
  name: 'mean_squared_logarithmic_error',
  className: 'MeanSquaredLogarithmicError',
  summary: "Keras's mean squared logarithmic error: squared error of log(1 + ·), inputs below 1e-7 raised to 1e-7.",
  formula: 'ℓ = mean over the last axis of (log(max(x, 1e-7) + 1) − log(max(y, 1e-7) + 1))²',
  ...LAST_AXIS_MEAN,
  params: noParams,
  simd: () => elementwiseRows('keras_msle'),
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const xk = Math.max(x[x0 + k], EPSILON);
      const d = Math.log(xk + 1) - Math.log(Math.max(t[t0 + k], EPSILON) + 1);
      s += d * d;
      if (g !== null) g[x0 + k] = x[x0 + k] >= EPSILON ? ((2 * d) / (D * (xk + 1))) * scale : 0;
    }
    return s / D;
  },
  plot: residual([-0.9, 3], 1),
  sample: (r) => kerasSample(r, () => r.uniform(0.1, 5), () => r.uniform(0, 5)),
  example: { inputs: { predictions: [[0.5, 1.8], [0.3, 0.9]], targets: [[0.2, 2.0], [0.4, 1.0]], sample_weight: [1, 2] } },
  check: {
    related: [{ loss: 'msle' }],
  },
});
