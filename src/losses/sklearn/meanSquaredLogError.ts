import { z } from 'zod';
import { firstOutside, MEAN_OF_TERMS, meanOfTerms, multioutputParam, regressionMetric } from './regressionMetric.ts';
import { regressionSample } from './regressionSamples.ts';

const params = z.strictObject({
  multioutput: multioutputParam(['raw_values', 'uniform_average']),
  squared: z.boolean().default(true).meta({ description: "false: the root (each output's square root, then combined)." }),
});

const negative = (field: string) => (v: number, i: number) => `${field}[${i}] is ${v}: mean_squared_log_error takes no negative values (scikit-learn: "Mean Squared Logarithmic Error cannot be used when targets contain negative values")`;

// ℓ = (log1p y − log1p ŷ)², dℓ/dŷ = 2(log1p ŷ − log1p y)/(1 + ŷ); squared=false: √mean as the RMSE.
export const sklearnMeanSquaredLogError = regressionMetric({
  function: 'mean_squared_log_error',
  summary: "scikit-learn's mean squared logarithmic error: the mean squared error of log(1 + y) and log(1 + ŷ).",
  formula: 'score = Σ w·(log(1 + y) − log(1 + ŷ))² / Σ w per output; squared=false: its square root',
  params,
  reductionRule: MEAN_OF_TERMS,
  noTerms: null,
  rules: () => ({
    domain: (y, p) =>
      firstOutside(y, (v) => v >= 0, 'target_out_of_domain', 'targets', negative('targets')) ?? firstOutside(p, (v) => v >= 0, 'prediction_out_of_domain', 'predictions', negative('predictions')),
  }),
  outputs: meanOfTerms(
    (y, p) => (Math.log1p(y) - Math.log1p(p)) ** 2,
    (y, p) => (2 * (Math.log1p(p) - Math.log1p(y))) / (1 + p),
    ({ squared }) => (squared ? null : { score: Math.sqrt, slope: (m) => (m === 0 ? 0 : 1 / (2 * Math.sqrt(m))) }),
  ),
  demo: {
    plot: { axis: 'prediction', label: 'prediction ŷ (target y = 1)', range: [0, 5], at: (x) => ({ predictions: [x], targets: [1], dPredictions: [1] }) },
    sample: (r) => regressionSample(r, () => r.uniform(0.1, 4), (x) => x * r.uniform(0.5, 1.5), r.uniform() < 0.5 ? {} : { squared: false }),
    example: { predictions: [2.5, 5, 4, 8], targets: [3, 5, 2.5, 7] },
  },
  check: { related: [{ loss: 'msle' }, { loss: 'keras.mean_squared_logarithmic_error' }] },
});
