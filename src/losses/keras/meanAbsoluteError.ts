import { noParams } from '../params.ts';
import { residual } from '../plotSlices.ts';
import { sign } from '../math.ts';
import { away } from '../samples.ts';
import { elementwiseRows, kerasLoss } from './kerasLoss.ts';
import { LAST_AXIS_MEAN, kerasSample } from './regressionSamples.ts';

// ℓ = mean_k |y_k − x_k|;  dℓ/dx_k = sign(x_k − y_k)/D (0 at x = y, as torch's abs).
export const kerasMeanAbsoluteError = kerasLoss({
  name: 'mean_absolute_error',
  className: 'MeanAbsoluteError',
  summary: "Keras's mean absolute error: the mean over the last axis, then Keras's reduction.",
  formula: 'ℓ = mean over the last axis of |y − x|',
  ...LAST_AXIS_MEAN,
  params: noParams,
  simd: () => elementwiseRows('l1'),
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const d = x[x0 + k] - t[t0 + k];
      s += Math.abs(d);
      if (g !== null) g[x0 + k] = (sign(d) / D) * scale;
    }
    return s / D;
  },
  plot: residual(),
  sample: (r) => kerasSample(r, () => r.normal(), (x) => x + away(r, 0.05, 2)),
  example: { inputs: { predictions: [[0.5, 1.8], [-0.3, 0.9]], targets: [[0.2, 2.0], [0.4, 1.0]], sample_weight: [1, 0.5] } },
  check: {
    related: [{ loss: 'l1' }],
  },
});
