import { z } from 'zod';
import { regressionMetric, meanOfTerms } from './regressionMetric.ts';
import { tweedieDeviance, tweedieSlope } from './statistics.ts';
import { powerParam, tweedieRules, tweedieSample } from './tweedie.ts';

/** The three deviance metrics: the mean unit deviance at a power (Tweedie's own, or fixed). */
export function devianceMetric(fn: string, fixedPower: number | null, summary: string) {
  const params = fixedPower === null ? z.strictObject({ power: powerParam }) : z.strictObject({});
  const powerOf = (p: unknown) => fixedPower ?? (p as { power: number }).power;
  return regressionMetric({
    function: fn,
    summary,
    formula:
      'score = Σ w·d(y, ŷ) / Σ w, d the unit deviance at the power: p = 0 (y − ŷ)²; p = 1 2(y·log(y/ŷ) − y + ŷ); p = 2 2(log(ŷ/y) + y/ŷ − 1); else 2(max(y, 0)^(2−p)/((1−p)(2−p)) − y·ŷ^(1−p)/(1−p) + ŷ^(2−p)/(2−p))',
    params: params as z.ZodType<Record<string, unknown>>,
    reductionRule: "scikit-learn's: the mean of the per-sample unit deviances (weighted by sample_weight: Σ w·d / Σ w); one output.",
    noTerms: null,
    rules: (p) => tweedieRules(`sklearn.${fn}`, powerOf(p)),
    // dd/dŷ = 2·ŷ^(−p)·(ŷ − y) for every power.
    outputs: meanOfTerms(
      (y, p, params) => tweedieDeviance(y, p, powerOf(params)),
      (y, p, params) => tweedieSlope(y, p, powerOf(params)),
    ),
    demo: {
      plot: { axis: 'prediction', label: 'prediction ŷ (target y = 1)', range: [0.1, 4], at: (x) => ({ predictions: [x], targets: [1], dPredictions: [1] }) },
      sample: (r) => tweedieSample(r, fixedPower === null ? { power: [0, 1, 1.5, 2, 3, -1][r.int(6)] } : {}),
      example: { predictions: [0.5, 0.5, 2.0, 2.0], targets: [2, 0.5, 1, 4], ...(fixedPower === null ? { params: { power: 1.5 } } : {}) },
    },
  });
}

export const sklearnMeanTweedieDeviance = devianceMetric('mean_tweedie_deviance', null, "scikit-learn's mean Tweedie deviance at a power (0 normal, 1 Poisson, 2 gamma, 3 inverse Gaussian).");
