import { margin } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { targetsSignOrZero } from '../checks.ts';
import { noParams } from '../params.ts';
import { elementwise, away } from '../samples.ts';

// y' = y, with 0 read as -1. value = max(0, 1 - y'·x);  d/dx = -y' where 1 - y'·x > 0, else 0
// (at the kink the subgradient 0 is taken, as relu's backward does).
export const hinge = defineLoss({
  name: 'hinge',
  aliases: [],
  family: 'binary',
  docs: {
    summary: 'Hinge loss of the support vector machine: zero once the margin y·x reaches 1.',
    formula: 'ℓ = max(0, 1 − y·x), y ∈ {−1, 1} (0 read as −1)',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'Keras hinge (elementwise, PyTorch-style reduction)',
    predictions: 'scores (real numbers), any rank ≥ 1',
    targets: '−1 or 1 (0 is read as −1), same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: noParams,
  checks: {
    checkData: targetsSignOrZero,
  },
  kernel({ predictions: x, targets: y }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      // Branch-free (math.sign): s = y with 0 read as -1; on = [z > 0]; + 0 turns -0 into 0.
      const s = y[i] - +(y[i] === 0);
      const z = 1 - s * x[i];
      const on = +(z > 0);
      const v = on * z + 0;
      sum += v;
      if (perSample !== null) perSample[i] = v;
      if (gradient !== null) gradient[i] = -s * on * gradScale + 0;
    }
    return sum;
  },
  demo: {
    plot: margin(),
    // Margins y·x kept 0.05 or more from 1.
    sample: (r) => elementwise(() => away(r, 0.1, 2), (x) => (r.uniform() < 0.5 ? 1 : -1) * (Math.abs(Math.abs(x) - 1) < 0.05 ? -1 : 1)),
    example: { predictions: [0.8, -0.4, 1.7, -2.0], targets: [1, -1, -1, -1] },
  },
  check: {
    related: [{ loss: 'keras.hinge' }],
  },
});
