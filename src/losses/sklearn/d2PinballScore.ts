import { z } from 'zod';
import { regressionMetric, multioutputParam, type Columns, type OutputScores } from './regressionMetric.ts';
import { average, sum } from './numpy.ts';
import { regressionSample } from './regressionSamples.ts';
import { fewSamples, assembleScores } from './scores.ts';
import { percentile, weightedPercentile } from './statistics.ts';
import { pinball, pinballAlpha, pinballSlope } from './meanPinballLoss.ts';
import { away } from '../samples.ts';

/** D² for the pinball loss at α: 1 − the pinball loss of the predictions over that of the targets'
 *  α-quantile (np.percentile, or the weighted percentile), per output, forced finite as r²
 *  (always). d D²/dŷ_i = −(w_i / Σ w)·pinball'(y_i, ŷ_i) / den where the ratio was taken. */
export function d2Pinball({ n, outputs, y, p, w }: Columns, alpha: number, want: { gradient: boolean }): OutputScores {
  if (n < 2) return { scores: new Float64Array(outputs), problem: fewSamples('D²') };
  const num = new Float64Array(outputs);
  const den = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    const q = w === null ? percentile(y[o], alpha * 100) : weightedPercentile(y[o], w, alpha * 100).value;
    num[o] = average(Float64Array.from({ length: n }, (_, i) => pinball(y[o][i], p[o][i], alpha)), w);
    den[o] = average(Float64Array.from({ length: n }, (_, i) => pinball(y[o][i], q, alpha)), w);
  }
  const assembled = assembleScores(num, den, true, 'D²');
  if ('code' in assembled) return { scores: num, problem: assembled };
  const total = w === null ? n : sum(w);
  const gradients = want.gradient
    ? y.map((_, o) => Float64Array.from({ length: n }, (_, i) => (assembled.valid[o] ? -(((w === null ? 1 : w[i]) / total) * pinballSlope(y[o][i], p[o][i], alpha)) / den[o] : 0)))
    : undefined;
  return { scores: assembled.scores, gradients };
}

export const d2Plot = {
  axis: 'prediction' as const,
  label: 'prediction ŷ₀ of the first of targets [0, 1, 2] (the others exact)',
  range: [-3, 3] as [number, number],
  at: (x: number) => ({ predictions: [x, 1, 2], targets: [0, 1, 2], dPredictions: [1, 0, 0] }),
};

export const sklearnD2PinballScore = regressionMetric({
  function: 'd2_pinball_score',
  summary: "scikit-learn's D² for the pinball loss at α: the fraction of the pinball loss of the targets' α-quantile that the predictions explain, per output.",
  formula: 'score = 1 − Σ w·pinball_α(y, ŷ) / Σ w·pinball_α(y, q_α(y)) per output, q_α the (weighted) α-percentile of y',
  params: z.strictObject({ alpha: pinballAlpha, multioutput: multioutputParam(['raw_values', 'uniform_average']) }),
  reductionRule: "scikit-learn's: each output's D², combined as multioutput says.",
  noTerms: 'D² is a ratio of two mean losses, not a mean of per-sample terms',
  outputs: (cols, { alpha }, want) => d2Pinball(cols, alpha, want),
  demo: {
    plot: d2Plot,
    sample: (r) => regressionSample(r, () => r.normal() * 2, (x) => x + away(r, 0.1, 1), { alpha: r.uniform(0.1, 0.9) }),
    example: { predictions: [2.5, 0.0, 2, 8], targets: [3, -0.5, 2, 7], params: { alpha: 0.9 } },
  },
});
