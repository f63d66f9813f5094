import { z } from 'zod';
import { regressionMetric } from './regressionMetric.ts';
import { average, sum } from './numpy.ts';
import { tweedieDeviance, tweedieSlope } from './statistics.ts';
import { d2PowerParam, d2TweedieRules, tweedieSample } from './tweedie.ts';
import { fewSamples } from './scores.ts';

// D² = 1 − D(y, ŷ) / D(y, ȳ), D the mean unit deviance at the power and ȳ the weighted mean of y;
// d D²/dŷ_i = −(w_i / Σ w)·d'(y_i, ŷ_i) / D(y, ȳ).
export const sklearnD2TweedieScore = regressionMetric({
  function: 'd2_tweedie_score',
  summary: "scikit-learn's D² for the Tweedie deviance: the fraction of the deviance of the best constant (the mean of y) that the predictions explain (one output).",
  formula: 'score = 1 − Σ w·d(y, ŷ) / Σ w·d(y, ȳ), d the unit Tweedie deviance at the power, ȳ = Σ w·y / Σ w',
  params: z.strictObject({ power: d2PowerParam }),
  reductionRule: "scikit-learn's: 1 − the mean deviance of the predictions over that of the targets' mean; one output.",
  noTerms: 'D² is a ratio of two mean deviances, not a mean of per-sample terms',
  rules: ({ power }) => d2TweedieRules('sklearn.d2_tweedie_score', power),
  outputs: ({ n, y, p, w }, { power }, want) => {
    if (n < 2) return { scores: new Float64Array(1), problem: fewSamples('D²') };
    const yMean = average(y[0], w);
    const num = average(Float64Array.from({ length: n }, (_, i) => tweedieDeviance(y[0][i], p[0][i], power)), w);
    const den = average(Float64Array.from({ length: n }, (_, i) => tweedieDeviance(y[0][i], yMean, power)), w);
    const score = 1 - num / den;
    if (!Number.isFinite(score)) {
      return { scores: Float64Array.of(score), problem: { code: 'result_not_finite', field: 'value', detail: `the targets' mean has deviance 0 (constant targets): D² is ${Number.isNaN(score) ? 'NaN' : '−∞'}, which JSON cannot carry` } };
    }
    const total = w === null ? n : sum(w);
    const gradients = want.gradient ? [Float64Array.from({ length: n }, (_, i) => -(((w === null ? 1 : w[i]) / total) * tweedieSlope(y[0][i], p[0][i], power)) / den)] : undefined;
    return { scores: Float64Array.of(score), gradients };
  },
  demo: {
    plot: { axis: 'prediction', label: 'prediction ŷ₀ of the first of targets [1, 2, 3] (the others exact)', range: [0.2, 4], at: (x) => ({ predictions: [x, 2, 3], targets: [1, 2, 3], dPredictions: [1, 0, 0] }) },
    sample: (r) => tweedieSample(r, { power: [0, 1, 1.5, 2, 3, -1][r.int(6)] }),
    example: { predictions: [0.5, 0.5, 2.0, 2.0], targets: [2, 0.5, 1, 4], params: { power: 1 } },
  },
});
