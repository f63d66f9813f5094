import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { MEAN_OF_TERMS, meanOfTerms, multioutputParam, regressionMetric } from './regressionMetric.ts';
import { regressionSample } from './regressionSamples.ts';
import { away } from '../samples.ts';

// ℓ = |y − ŷ|, dℓ/dŷ = sign(ŷ − y) (0 at ŷ = y, as PyTorch's l1).
export const sklearnMeanAbsoluteError = regressionMetric({
  function: 'mean_absolute_error',
  summary: "scikit-learn's mean absolute error, per output and combined as multioutput says.",
  formula: 'score = Σ w·|y − ŷ| / Σ w per output',
  params: z.strictObject({ multioutput: multioutputParam(['raw_values', 'uniform_average']) }),
  reductionRule: MEAN_OF_TERMS,
  noTerms: null,
  outputs: meanOfTerms(
    (y, p) => Math.abs(y - p),
    (y, p) => Math.sign(p - y),
  ),
  demo: {
    plot: residual(),
    sample: (r) => regressionSample(r, () => r.normal() * 2, (x) => x + away(r, 0.1, 1)),
    example: { predictions: [2.5, 0.0, 2, 8], targets: [3, -0.5, 2, 7] },
  },
  check: { related: [{ loss: 'l1' }, { loss: 'keras.mean_absolute_error' }] },
});
