import { margin } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { targetsPlusMinusOne } from '../checks.ts';
import { noParams } from '../params.ts';
import { elementwise, away } from '../samples.ts';

// value = 1 if y·x ≤ 0 (a margin of exactly 0 counts as an error) else 0. Piecewise constant:
// the gradient is 0 everywhere (undefined at the jump; 0 is returned there too).
export const zeroOne = defineLoss({
  name: 'zero_one',
  aliases: ['0-1'],
  family: 'binary',
  docs: {
    summary: 'Zero-one loss: the misclassification count that the other margin losses bound from above.',
    formula: 'ℓ = 1 if y·x ≤ 0 else 0, y ∈ {−1, 1}',
    reductionRule: 'mean divides Σℓ by the number of elements (the error rate).',
    reference: 'the 0-1 loss, written in torch ops as the formula',
    predictions: 'scores (real numbers), any rank ≥ 1',
    targets: '−1 or 1, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: noParams,
  checks: {
    checkData: targetsPlusMinusOne,
  },
  kernel({ predictions: x, targets: y }, lo, hi, { perSample, gradient }) {
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const v = +(y[i] * x[i] <= 0); // branch-free (math.sign)
      sum += v;
      if (perSample !== null) perSample[i] = v;
      if (gradient !== null) gradient[i] = 0;
    }
    return sum;
  },
  demo: {
    plot: margin(),
    sample: (r) => elementwise(() => away(r, 0.1, 2), () => r.sign()),
    example: { predictions: [0.8, -0.4, 1.7, -2.0], targets: [1, -1, -1, -1] },
  },
});
