import { noParams } from '../params.ts';
import { residual } from '../plotSlices.ts';
import { sign } from '../math.ts';
import { away } from '../samples.ts';
import { EPSILON, kerasLoss } from './kerasLoss.ts';
import { LAST_AXIS_MEAN, kerasSample } from './regressionSamples.ts';

// ℓ = 100·mean_k |(y_k − x_k) / max(|y_k|, ε)|, ε = 1e-7 (so a zero target does not divide by 0);
// dℓ/dx_k = 100·sign(x_k − y_k) / (D·max(|y_k|, ε)).
export const kerasMeanAbsolutePercentageError = kerasLoss({
  name: 'mean_absolute_percentage_error',
  className: 'MeanAbsolutePercentageError',
  summary: "Keras's mean absolute percentage error: the error relative to the target, in percent.",
  formula: 'ℓ = 100 · mean over the last axis of |y − x| / max(|y|, 1e-7)',
  ...LAST_AXIS_MEAN,
  params: noParams,
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const d = x[x0 + k] - t[t0 + k];
      const m = Math.max(Math.abs(t[t0 + k]), EPSILON);
      s += Math.abs(d / m);
      if (g !== null) g[x0 + k] = ((100 * sign(d)) / (D * m)) * scale;
    }
    return (100 * s) / D;
  },
  plot: residual([-3, 3], 1),
  sample: (r) => kerasSample(r, () => r.normal(), (x) => x + away(r, 0.05, 2)),
  example: { inputs: { predictions: [[0.5, 1.8], [-0.3, 0.9]], targets: [[0.4, 2.0], [-0.5, 1.0]] } },
});
