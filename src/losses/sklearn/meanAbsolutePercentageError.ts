import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { MEAN_OF_TERMS, meanOfTerms, multioutputParam, regressionMetric } from './regressionMetric.ts';
import { regressionSample } from './regressionSamples.ts';
import { away } from '../samples.ts';

/** np.finfo(np.float64).eps: the floor of |y| in the denominator. */
const EPS = 2 ** -52;

// ℓ = |ŷ − y| / max(|y|, ε) (a fraction, not a percentage), dℓ/dŷ = sign(ŷ − y) / max(|y|, ε).
export const sklearnMeanAbsolutePercentageError = regressionMetric({
  function: 'mean_absolute_percentage_error',
  summary: "scikit-learn's mean absolute percentage error, as a fraction (0.1 is 10%); |y| is floored at float64's machine epsilon.",
  formula: 'score = Σ w·|ŷ − y| / max(|y|, ε) / Σ w per output, ε = 2⁻⁵²',
  params: z.strictObject({ multioutput: multioutputParam(['raw_values', 'uniform_average']) }),
  reductionRule: MEAN_OF_TERMS,
  noTerms: null,
  outputs: meanOfTerms(
    (y, p) => Math.abs(p - y) / Math.max(Math.abs(y), EPS),
    (y, p) => Math.sign(p - y) / Math.max(Math.abs(y), EPS),
  ),
  demo: {
    plot: residual([-3, 3], 1),
    sample: (r) => regressionSample(r, () => r.sign() * r.uniform(0.5, 3), (x) => x + away(r, 0.05, 0.5)),
    example: { predictions: [2.5, 0.0, 2, 8], targets: [3, -0.5, 2, 7] },
  },
  check: { related: [{ loss: 'keras.mean_absolute_percentage_error' }] },
});
