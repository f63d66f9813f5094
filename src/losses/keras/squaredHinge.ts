import { margin } from '../plotSlices.ts';
import { away } from '../samples.ts';
import { kerasLoss } from './kerasLoss.ts';
import { hingeSpec } from './hingeLabels.ts';
import { kerasSample } from './regressionSamples.ts';

// ℓ = mean_k max(1 − y_k·x_k, 0)² (labels 0/1 read as −1/1 when all are);
// dℓ/dx_k = −2·max(1 − y_k·x_k, 0)·y_k/D.
export const kerasSquaredHinge = kerasLoss({
  name: 'squared_hinge',
  className: 'SquaredHinge',
  summary: "Keras's squared hinge loss, averaged over the last axis.",
  formula: 'ℓ = mean over the last axis of max(1 − y·x, 0)²',
  ...hingeSpec,
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const y = t[t0 + k];
      const m = Math.max(1 - y * x[x0 + k], 0);
      s += m * m;
      if (g !== null) g[x0 + k] = ((-2 * m * y) / D) * scale;
    }
    return s / D;
  },
  plot: margin(),
  sample: (r) => kerasSample(r, () => away(r, 0.1, 2), () => r.sign()),
  example: { inputs: { predictions: [[0.8, -0.4], [1.5, 0.2]], targets: [[1, -1], [1, 1]] } },
  check: {
    related: [{ loss: 'squared_hinge' }],
  },
});
