import { noParams } from '../params.ts';
import { residual } from '../plotSlices.ts';
import { elementwiseRows, kerasLoss } from './kerasLoss.ts';
import { LAST_AXIS_MEAN, kerasSample } from './regressionSamples.ts';

// ℓ = mean_k (y_k − x_k)² over the last axis;  dℓ/dx_k = 2·(x_k − y_k)/D.
export const kerasMeanSquaredError = kerasLoss({
  name: 'mean_squared_error',
  className: 'MeanSquaredError',
  summary: "Keras's mean squared error: the mean over the last axis, then Keras's reduction.",
  formula: 'ℓ = mean over the last axis of (y − x)²',
  ...LAST_AXIS_MEAN,
  params: noParams,
  simd: () => elementwiseRows('mse'),
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const d = x[x0 + k] - t[t0 + k];
      s += d * d;
      if (g !== null) g[x0 + k] = ((2 * d) / D) * scale;
    }
    return s / D;
  },
  plot: residual(),
  sample: (r) => kerasSample(r, () => r.normal() * 2, (x) => x + r.normal()),
  example: { inputs: { predictions: [[0.5, 1.8], [-0.3, 0.9]], targets: [[0.2, 2.0], [0.4, 1.0]], sample_weight: [1, 0.5] } },
  check: {
    related: [{ loss: 'mse' }],
  },
});
