// What the scores share (r², explained variance, D²): 1 − numerator/denominator per output, with
// scikit-learn's rules for the cases where that ratio is not a number.
import type { InputProblem } from '../types.ts';

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
