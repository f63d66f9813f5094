import { margin } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { targetsSignOrZero } from '../checks.ts';
import { noParams } from '../params.ts';
import { elementwise, away } from '../samples.ts';

// y' = y, with 0 read as -1. value = max(0, 1 - y'·x)²;  d/dx = -2y'·max(0, 1 - y'·x).
export const squaredHinge = defineLoss({
  name: 'squared_hinge',
  aliases: [],
  family: 'binary',
  docs: {
    summary: 'Squared hinge loss: a smooth hinge that punishes large violations more.',
    formula: 'ℓ = max(0, 1 − y·x)², y ∈ {−1, 1} (0 read as −1)',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'Keras squared_hinge (elementwise, PyTorch-style reduction)',
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
      // Branch-free (math.sign): s = y with 0 read as -1; h = max(0, z) as [z > 0]·z (+ 0: no -0).
      const s = y[i] - +(y[i] === 0);
      const z = 1 - s * x[i];
      const h = +(z > 0) * z + 0;
      const v = h * h;
      sum += v;
      if (perSample !== null) perSample[i] = v;
      if (gradient !== null) gradient[i] = -2 * s * h * gradScale + 0;
    }
    return sum;
  },
  demo: {
    plot: margin(),
    sample: (r) => elementwise(() => away(r, 0.1, 2), () => r.sign()),
    example: { predictions: [0.8, -0.4, 1.7, -2.0], targets: [1, -1, -1, -1] },
  },
  check: {
    related: [{ loss: 'keras.squared_hinge' }],
  },
});
