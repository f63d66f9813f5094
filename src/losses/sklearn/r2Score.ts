import { z } from 'zod';
import { regressionMetric, multioutputParam, type Columns } from './regressionMetric.ts';
import { average } from './numpy.ts';
import { assembleScores, fewSamples, varianceScoreDemo } from './scores.ts';

export const forceFinite = z.boolean().default(true).meta({ description: 'true: constant targets score 1 (perfect predictions) or 0 instead of NaN or −∞ (scikit-learn ≥ 1.1).' });

// r² = 1 − Σ w(y − ŷ)² / Σ w(y − ȳ)², ȳ the weighted mean of y; d r²/dŷ_i = 2 w_i (y_i − ŷ_i) / Σ w(y − ȳ)².
export const sklearnR2Score = regressionMetric({
  function: 'r2_score',
  summary: "scikit-learn's coefficient of determination R²: 1 − the residual sum of squares over the total sum of squares, per output (a score: higher is better).",
  formula: 'score = 1 − Σ w·(y − ŷ)² / Σ w·(y − ȳ)² per output, ȳ = Σ w·y / Σ w',
  params: z.strictObject({ multioutput: multioutputParam(['raw_values', 'uniform_average', 'variance_weighted']), force_finite: forceFinite }),
  reductionRule: "scikit-learn's: each output's R², combined as multioutput says (variance_weighted: weighted by each output's Σ w·(y − ȳ)²).",
  noTerms: 'R² is a ratio of two sums, not a mean of per-sample terms',
  outputs: (cols: Columns, { force_finite }, want) => {
    const { n, outputs, y, p, w } = cols;
    if (n < 2) return { scores: new Float64Array(outputs), problem: fewSamples('R²') };
    const num = new Float64Array(outputs);
    const den = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++) {
      const mean = average(y[o], w);
      // (weight·(y − ŷ)²).sum(axis=0), as scikit-learn adds them.
      for (let i = 0; i < n; i++) {
        const wi = w === null ? 1 : w[i];
        num[o] += wi * (y[o][i] - p[o][i]) ** 2;
        den[o] += wi * (y[o][i] - mean) ** 2;
      }
    }
    const assembled = assembleScores(num, den, force_finite, 'R²');
    if ('code' in assembled) return { scores: num, problem: assembled };
    const gradients = want.gradient
      ? y.map((_, o) => Float64Array.from({ length: n }, (_, i) => (assembled.valid[o] ? (2 * (w === null ? 1 : w[i]) * (y[o][i] - p[o][i])) / den[o] : 0)))
      : undefined;
    return { scores: assembled.scores, gradients, varianceWeights: den.some((d) => d !== 0) ? den : null };
  },
  demo: varianceScoreDemo,
});
