import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { elementwise, away } from '../samples.ts';

// r = y - x. value = max(q·r, (q - 1)·r): q·r when the prediction is below the target (r > 0),
// (1 - q)·|r| above it.  d/dx = -q for r > 0, 1 - q for r < 0; at r = 0 the two branches tie
// and, like torch.maximum, each gets half: (1 - q)/2 - q/2 = ½ - q.
export const quantile = defineLoss({
  name: 'quantile',
  aliases: ['pinball'],
  family: 'regression',
  docs: {
    summary: 'Quantile (pinball) loss: its minimiser is the q-quantile of the target.',
    formula: 'ℓ = max(q·(y − x), (q − 1)·(y − x))',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'pinball loss, written in torch ops as the formula',
    predictions: 'real numbers, any rank ≥ 1',
    targets: 'real numbers, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: z.strictObject({
    q: z.number().gt(0, { error: 'q must lie in the open interval (0, 1)' }).lt(1, { error: 'q must lie in the open interval (0, 1)' })
      .default(0.5).meta({ description: 'The quantile, in the open interval (0, 1); 0.5 is half the l1 loss.' }),
  }),
  kernel({ predictions: x, targets: y, params: { q } }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const r = y[i] - x[i];
      // Branch-free selections (math.sign): one term of each sum is exactly 0.
      const above = +(r > 0);
      const below = +(r < 0);
      const v = above * (q * r) + (1 - above) * ((q - 1) * r);
      sum += v;
      if (perSample !== null) perSample[i] = v;
      if (gradient !== null) gradient[i] = (above * -q + below * (1 - q) + (1 - above - below) * (0.5 - q)) * gradScale;
    }
    return sum;
  },
  demo: {
    plot: residual(),
    sample: (r) => elementwise(() => r.normal(), (x) => x + away(r, 0.05, 2), { q: 0.3 }),
    example: { predictions: [2.5, 0.0, 2.0, 8.0], targets: [3.0, -0.5, 2.5, 7.0], params: { q: 0.9 } },
  },
});
