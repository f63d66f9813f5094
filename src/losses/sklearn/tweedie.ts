// What the Tweedie metrics share: the power parameter, the domain check by power, the samples.
import { z } from 'zod';
import type { InputProblem } from '../types.ts';
import type { RegressionRules } from './regressionMetric.ts';
import { tweedieDomain } from './statistics.ts';
import { regressionSample } from './regressionSamples.ts';
import type { Random } from '../samples.ts';

const POWER_DESCRIPTION = 'The Tweedie power: ≤ 0 (0: normal), 1 (Poisson), in (1, 2) (compound Poisson-gamma), 2 (gamma), > 2 (2: gamma, 3: inverse Gaussian).';
const POWER_RULE = 'Tweedie deviance is only defined for power ≤ 0 and power ≥ 1';
const validPower = (p: number) => p <= 0 || p >= 1;

/** mean_tweedie_deviance's power: scikit-learn validates it before anything else. */
export const powerParam = z.number().default(0).refine(validPower, { message: POWER_RULE }).meta({ description: POWER_DESCRIPTION });

/** d2_tweedie_score's: checked only where the deviance is computed (fewer than two samples
 *  answer NaN first), by d2TweedieRules. */
export const d2PowerParam = z.number().default(0).meta({ description: `${POWER_DESCRIPTION} ${POWER_RULE}.` });

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

/** d2_tweedie_score's order: one output; fewer than two samples are NaN (its outputs say so,
 *  a 422) before the power and the domain are looked at. */
export function d2TweedieRules(name: string, power: number): RegressionRules {
  const rules = tweedieRules(name, power);
  return {
    singleOutput: true,
    domain(y, p): InputProblem | null {
      if (y.length < 2) return null;
      if (!validPower(power)) return { code: 'invalid_params', field: 'params.power', detail: `params.power: ${POWER_RULE} (scikit-learn's ValueError), got ${power}` };
      return rules.domain!(y, p);
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
