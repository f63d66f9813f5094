// What the Tweedie metrics share: the power parameter, the domain check by power, the samples.
import { z } from 'zod';
import type { InputProblem } from '../types.ts';
import type { RegressionRules } from './regressionMetric.ts';
import { tweedieDomain } from './statistics.ts';
import { regressionSample } from './regressionSamples.ts';
import type { Random } from '../samples.ts';

export const powerParam = z
  .number()
  .default(0)
  .refine((p) => p <= 0 || p >= 1, { message: 'Tweedie deviance is only defined for power ≤ 0 and power ≥ 1' })
  .meta({ description: 'The Tweedie power: ≤ 0 (0: normal), 1 (Poisson), in (1, 2) (compound Poisson-gamma), 2 (gamma), > 2 (2: gamma, 3: inverse Gaussian).' });

/** mean_tweedie_deviance's checks: one output, and its domain by power. */
export function tweedieRules(name: string, power: number): RegressionRules {
  return {
    singleOutput: true,
    domain(y, p): InputProblem | null {
      const bad = tweedieDomain(power, y, p);
      if (bad === null) return null;
      const v = (bad.field === 'targets' ? y : p)[bad.index];
      return {
        code: bad.field === 'targets' ? 'target_out_of_domain' : 'prediction_out_of_domain',
        field: bad.field,
        index: bad.index,
        detail: `${bad.field}[${bad.index}] is ${v}: ${name} with power=${power} takes ${bad.need} (scikit-learn: "Mean Tweedie deviance error with power=${power} can only be used on ${bad.need.replace('targets', 'y').replace('predictions', 'y_pred')}")`,
      };
    },
  };
}

/** One output of positive targets and predictions (every power's domain), half of the time weighted. */
export function tweedieSample(r: Random, params: Record<string, unknown> = {}) {
  const s = regressionSample(r, () => r.uniform(0.2, 3), (x) => x * r.uniform(0.5, 1.5), params);
  const n = s.inputs.predictions.shape[0];
  const one = (t: { data: number[] }) => ({ data: t.data.filter((_, i) => i % (t.data.length / n) === 0), shape: [n] });
  return { ...s, inputs: { ...s.inputs, predictions: one(s.inputs.predictions), targets: one(s.inputs.targets) } };
}
