import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { away } from '../samples.ts';
import { elementwiseRows, kerasLoss } from './kerasLoss.ts';
import { LAST_AXIS_MEAN, kerasSample } from './regressionSamples.ts';

// e = x − y:  ½e² where |e| ≤ δ, δ·|e| − ½δ² beyond; mean over the last axis.
// dℓ/dx = e/D inside, δ·sign(e)/D beyond.
export const kerasHuber = kerasLoss({
  name: 'huber',
  className: 'Huber',
  summary: "Keras's Huber loss: quadratic near zero, linear beyond delta, averaged over the last axis.",
  formula: 'ℓ = mean over the last axis of (½e² if |e| ≤ δ else δ|e| − ½δ²), e = x − y',
  ...LAST_AXIS_MEAN,
  params: z.strictObject({ delta: z.number().default(1.0).meta({ description: 'Where the loss turns from quadratic to linear.' }) }),
  simd: ({ delta }) => elementwiseRows('huber', { params: [delta] }),
  row(x, x0, t, t0, D, { delta }, g, scale) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const e = x[x0 + k] - t[t0 + k];
      const a = Math.abs(e);
      const inside = a <= delta;
      s += inside ? 0.5 * e * e : delta * a - 0.5 * delta * delta;
      if (g !== null) g[x0 + k] = ((inside ? e : delta * Math.sign(e)) / D) * scale;
    }
    return s / D;
  },
  plot: residual(),
  sample: (r) => kerasSample(r, () => r.normal(), (x) => x + (r.uniform() < 0.5 ? away(r, 0.05, 0.6) : away(r, 0.9, 3)), { delta: 0.75 }),
  example: { inputs: { predictions: [[0.5, 1.8], [-0.3, 0.9]], targets: [[0.2, 3.0], [0.4, 1.0]] }, params: { delta: 1.0 } },
  check: {
    related: [{ loss: 'huber' }, { loss: 'smooth_l1' }],
  },
});
