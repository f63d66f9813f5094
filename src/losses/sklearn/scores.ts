// What the scores share (r², explained variance, D²): 1 − numerator/denominator per output, with
// scikit-learn's rules for the cases where that ratio is not a number.
import type { InputProblem, LossDemo } from '../types.ts';
import { regressionSample } from './regressionSamples.ts';

export const fewSamples = (what: string): InputProblem => ({
  code: 'result_not_finite',
  field: 'value',
  detail: `${what} is not well-defined with fewer than two samples: scikit-learn returns NaN, which JSON cannot carry`,
});

/** _assemble_r2_explained_variance's scores (d2_pinball_score's too, always forced finite):
 *  1 − num/den where both are non-zero; 1 where num is 0; 0 where only den is. Unforced, a zero
 *  denominator gives NaN or −∞: a 422 naming the output. `valid[o]`: the ratio was taken (its
 *  gradient is the ratio's; the forced scores are constants). */
export function assembleScores(num: Float64Array, den: Float64Array, forceFinite: boolean, what: string): { scores: Float64Array; valid: boolean[] } | InputProblem {
  const outputs = num.length;
  const scores = new Float64Array(outputs).fill(1);
  const valid: boolean[] = [];
  for (let o = 0; o < outputs; o++) {
    if (!forceFinite) {
      if (den[o] === 0) {
        return {
          code: 'result_not_finite',
          field: 'value',
          index: outputs > 1 ? o : undefined,
          detail: `output ${o} has constant targets: ${what} is ${num[o] === 0 ? 'NaN' : '−∞'} (1 − ${num[o]}/0), which JSON cannot carry; force_finite=true answers ${num[o] === 0 ? '1' : '0'}`,
        };
      }
      scores[o] = 1 - num[o] / den[o];
      valid.push(true);
      continue;
    }
    valid.push(num[o] !== 0 && den[o] !== 0);
    if (valid[o]) scores[o] = 1 - num[o] / den[o];
    else if (num[o] !== 0) scores[o] = 0;
  }
  return { scores, valid };
}

/** How r² and the explained variance are shown: the first prediction moving, the others exact
 *  (targets [0, 1, 2]), so the score falls from 1 as the prediction leaves its target. */
export const varianceScoreDemo: LossDemo = {
  plot: { axis: 'prediction', label: 'prediction ŷ₀ of the first of targets [0, 1, 2] (the others exact)', range: [-3, 3], at: (x) => ({ predictions: [x, 1, 2], targets: [0, 1, 2], dPredictions: [1, 0, 0] }) },
  sample: (r) => regressionSample(r, () => r.normal() * 2, (x) => x + r.normal()),
  example: { predictions: [2.5, 0.0, 2, 8], targets: [3, -0.5, 2, 7] },
};
