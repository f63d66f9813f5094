import { z } from 'zod';
import { regressionMetric, multioutputParam } from './regressionMetric.ts';
import { regressionSample } from './regressionSamples.ts';
import { away } from '../samples.ts';
import { d2Pinball, d2Plot } from './d2PinballScore.ts';

// d2_pinball_score at α = ½: 1 − the mean absolute error over that of the targets' median.
export const sklearnD2AbsoluteErrorScore = regressionMetric({
  function: 'd2_absolute_error_score',
  summary: "scikit-learn's D² for the absolute error: the fraction of the mean absolute error of the targets' median that the predictions explain, per output.",
  formula: 'score = 1 − Σ w·|y − ŷ| / Σ w·|y − median(y)| per output (d2_pinball_score at α = ½)',
  params: z.strictObject({ multioutput: multioutputParam(['raw_values', 'uniform_average']) }),
  reductionRule: "scikit-learn's: each output's D², combined as multioutput says.",
  noTerms: 'D² is a ratio of two mean losses, not a mean of per-sample terms',
  outputs: (cols, _params, want) => d2Pinball(cols, 0.5, want),
  demo: {
    plot: d2Plot,
    sample: (r) => regressionSample(r, () => r.normal() * 2, (x) => x + away(r, 0.1, 1)),
    example: { predictions: [2.5, 0.0, 2, 8], targets: [3, -0.5, 2, 7] },
  },
});
