import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { MEAN_OF_TERMS, meanOfTerms, multioutputParam, regressionMetric } from './regressionMetric.ts';
import { regressionSample } from './regressionSamples.ts';

const params = z.strictObject({
  multioutput: multioutputParam(['raw_values', 'uniform_average']),
  squared: z.boolean().default(true).meta({ description: 'false: the root mean squared error (each output\'s square root, then combined).' }),
});

// ℓ = (y − ŷ)², dℓ/dŷ = 2(ŷ − y); the RMSE is √mean, d√m/dm = 1/(2√m) (0 where m = 0, a
// sub-gradient: every residual is 0 there).
export const sklearnMeanSquaredError = regressionMetric({
  function: 'mean_squared_error',
  summary: "scikit-learn's mean squared error (or its root with squared=false), per output and combined as multioutput says.",
  formula: 'score = Σ w·(y − ŷ)² / Σ w per output; squared=false: its square root',
  params,
  reductionRule: MEAN_OF_TERMS,
  noTerms: null,
  outputs: meanOfTerms(
    (y, p) => (y - p) ** 2,
    (y, p) => 2 * (p - y),
    ({ squared }) => (squared ? null : { score: Math.sqrt, slope: (m) => (m === 0 ? 0 : 1 / (2 * Math.sqrt(m))) }),
  ),
  demo: {
    plot: residual(),
    sample: (r) => regressionSample(r, () => r.normal() * 2, (x) => x + r.normal(), r.uniform() < 0.5 ? {} : { squared: false }),
    example: { predictions: [2.5, 0.0, 2, 8], targets: [3, -0.5, 2, 7] },
  },
  check: { related: [{ loss: 'mse' }, { loss: 'keras.mean_squared_error' }] },
});
