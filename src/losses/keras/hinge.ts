import { margin } from '../plotSlices.ts';
import { away } from '../samples.ts';
import { kerasLoss } from './kerasLoss.ts';
import { hingeSpec } from './hingeLabels.ts';
import { kerasSample } from './regressionSamples.ts';

// ℓ = mean_k max(1 − y_k·x_k, 0) (labels 0/1 read as −1/1 when all are);
// dℓ/dx_k = −y_k/D where 1 − y_k·x_k > 0, else 0.
export const kerasHinge = kerasLoss({
  name: 'hinge',
  className: 'Hinge',
  summary: "Keras's hinge loss, averaged over the last axis.",
  formula: 'ℓ = mean over the last axis of max(1 − y·x, 0)',
  ...hingeSpec,
  row(x, x0, t, t0, D, _p, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const y = t[t0 + k];
      const m = 1 - y * x[x0 + k];
      if (m > 0) s += m;
      if (g !== null) g[x0 + k] = m > 0 ? (-y / D) * scale : 0;
    }
    return s / D;
  },
  plot: margin(),
  sample: (r) => kerasSample(r, () => away(r, 0.1, 2), (x) => (Math.abs(Math.abs(x) - 1) < 0.05 ? -Math.sign(x) : r.sign())),
  example: { inputs: { predictions: [[0.8, -0.4], [1.5, 0.2]], targets: [[1, 0], [1, 1]] } },
  check: {
    related: [{ loss: 'hinge' }],
  },
});
