import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { MEAN_OF_TERMS, meanOfTerms, multioutputParam, regressionMetric } from './regressionMetric.ts';
import { regressionSample } from './regressionSamples.ts';
import { away } from '../samples.ts';

export const pinballAlpha = z.number().min(0).max(1).default(0.5).meta({ description: 'α in [0, 1]: the quantile the loss is minimised at (0.5: half the absolute error).' });

/** scikit-learn's pinball term: with d = y − ŷ and s = [d ≥ 0], α·s·d − (1 − α)·(1 − s)·d. */
export const pinball = (y: number, p: number, alpha: number) => {
  const d = y - p;
  const s = d >= 0 ? 1 : 0;
  return alpha * s * d - (1 - alpha) * (1 - s) * d;
};
// dℓ/dŷ = −α where y ≥ ŷ (s = 1: the branch the formula takes at d = 0, as autograd of it would), 1 − α below.
export const pinballSlope = (y: number, p: number, alpha: number) => (y - p >= 0 ? -alpha : 1 - alpha);

export const sklearnMeanPinballLoss = regressionMetric({
  function: 'mean_pinball_loss',
  summary: "scikit-learn's pinball loss (quantile loss) at α, per output and combined as multioutput says.",
  formula: 'score = Σ w·(α·max(y − ŷ, 0) + (1 − α)·max(ŷ − y, 0)) / Σ w per output',
  params: z.strictObject({ alpha: pinballAlpha, multioutput: multioutputParam(['raw_values', 'uniform_average']) }),
  reductionRule: MEAN_OF_TERMS,
  noTerms: null,
  outputs: meanOfTerms(
    (y, p, { alpha }) => pinball(y, p, alpha),
    (y, p, { alpha }) => pinballSlope(y, p, alpha),
  ),
  demo: {
    plot: residual(),
    sample: (r) => regressionSample(r, () => r.normal() * 2, (x) => x + away(r, 0.1, 1), { alpha: r.uniform(0.1, 0.9) }),
    example: { predictions: [2.5, 0.0, 2, 8], targets: [3, -0.5, 2, 7], params: { alpha: 0.9 } },
  },
});
