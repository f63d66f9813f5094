import { noParams } from '../params.ts';
import { residual } from '../plotSlices.ts';
import { logCosh } from '../math.ts';
import { elementwiseRows, kerasLoss } from './kerasLoss.ts';
import { LAST_AXIS_MEAN, kerasSample } from './regressionSamples.ts';

// ℓ = mean_k log cosh(x_k − y_k). Keras writes d + softplus(−2d) − log 2, which is the same
// function; math.logCosh evaluates it without overflow or cancellation. dℓ/dx_k = tanh(d)/D.
export const kerasLogCosh = kerasLoss({
  name: 'log_cosh',
  className: 'LogCosh',
  summary: "Keras's log-cosh: like squared error near zero and absolute error far away, averaged over the last axis.",
  formula: 'ℓ = mean over the last axis of log cosh(x − y)',
  ...LAST_AXIS_MEAN,
  params: noParams,
  simd: () => elementwiseRows('log_cosh'),
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const d = x[x0 + k] - t[t0 + k];
      s += logCosh(d);
      if (g !== null) g[x0 + k] = (Math.tanh(d) / D) * scale;
    }
    return s / D;
  },
  plot: residual(),
  sample: (r) => kerasSample(r, () => r.normal() * 3, (x) => x + r.normal() * 2),
  example: { inputs: { predictions: [[0.5, 1.8], [-0.3, 0.9]], targets: [[0.2, 3.0], [0.4, 1.0]] } },
  check: {
    related: [{ loss: 'log_cosh' }],
  },
});
