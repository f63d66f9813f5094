import { z } from 'zod';
import { regressionMetric, multioutputParam } from './regressionMetric.ts';
import { average } from './numpy.ts';
import { assembleScores, varianceScoreDemo } from './scores.ts';
import { forceFinite } from './r2Score.ts';

// With r = y − ŷ: score = 1 − avg_w((r − r̄)²) / avg_w((y − ȳ)²); d score/dŷ_i = 2 w_i (r_i − r̄) / (Σw · den)
// (r̄'s own derivative drops out: Σ w (r − r̄) = 0).
export const sklearnExplainedVarianceScore = regressionMetric({
  function: 'explained_variance_score',
  summary: "scikit-learn's explained variance: 1 − the variance of the residuals over the variance of the targets, per output (R² without the residuals' mean).",
  formula: 'score = 1 − Var_w(y − ŷ) / Var_w(y) per output (weighted variances)',
  params: z.strictObject({ multioutput: multioutputParam(['raw_values', 'uniform_average', 'variance_weighted']), force_finite: forceFinite }),
  reductionRule: "scikit-learn's: each output's explained variance, combined as multioutput says (variance_weighted: weighted by each output's target variance).",
  noTerms: 'it is a ratio of two variances, not a mean of per-sample terms',
  outputs: ({ n, outputs, y, p, w }, { force_finite }, want) => {
    const num = new Float64Array(outputs);
    const den = new Float64Array(outputs);
    const rMean: number[] = [];
    for (let o = 0; o < outputs; o++) {
      const r = Float64Array.from({ length: n }, (_, i) => y[o][i] - p[o][i]);
      rMean.push(average(r, w));
      num[o] = average(Float64Array.from(r, (v) => (v - rMean[o]) ** 2), w);
      const yMean = average(y[o], w);
      den[o] = average(Float64Array.from(y[o], (v) => (v - yMean) ** 2), w);
    }
    const assembled = assembleScores(num, den, force_finite, 'the explained variance');
    if ('code' in assembled) return { scores: num, problem: assembled };
    const total = w === null ? n : w.reduce((a, b) => a + b, 0);
    const gradients = want.gradient
      ? y.map((_, o) => Float64Array.from({ length: n }, (_, i) => (assembled.valid[o] ? (2 * (w === null ? 1 : w[i]) * (y[o][i] - p[o][i] - rMean[o])) / (total * den[o]) : 0)))
      : undefined;
    return { scores: assembled.scores, gradients, varianceWeights: den.some((d) => d !== 0) ? den : null };
  },
  demo: varianceScoreDemo,
});
