import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { classIndices } from '../checks.ts';
import { logSumExp } from '../math.ts';
import { clip, insideClip, probabilityRows } from './kerasProbabilities.ts';
import { rows } from '../samples.ts';

// from_logits: ℓ = lse - x_y;  dℓ/dx_c = p_c - [c = y].
// probabilities: s = Σ_c x_c, q_y = x_y/s, ℓ = -log clip(q_y, 1e-7, 1 - 1e-7).
//   a = dℓ/dq_y = -1/q_y where the clip is inactive (0 where it is), dq_y/dx_k = ([k = y] - q_y)/s:
//   dℓ/dx_k = a·([k = y] - q_y)/s.
export const sparseCategoricalCrossentropy = defineLoss({
  name: 'sparse_categorical_crossentropy',
  aliases: [],
  family: 'multiclass',
  summary: "Keras's sparse categorical cross-entropy: class-index targets, on probabilities or logits.",
  formula: 'ℓ = −log p_y (p renormalised and clipped to [1e-7, 1−1e-7] when not logits)',
  reductionRule: 'mean divides Σℓ by N.',
  reference: 'Keras SparseCategoricalCrossentropy',
  predictions: 'probabilities [N, C] (≥ 0, rows renormalised), or logits [N, C] with from_logits',
  targets: 'class indices [N]: integers in [0, C)',
  layout: 'rows',
  targetLayout: 'indices',
  params: z.strictObject({
    from_logits: z.boolean().default(false).meta({ description: 'true: predictions are logits; false: probabilities.' }),
  }),
  checkData: (input, lo, hi) => classIndices(input, lo, hi) ?? (input.params.from_logits ? null : probabilityRows(input, lo, hi)),
  kernel({ predictions: x, targets: t, cols: C, params: { from_logits } }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      const off = r * C;
      const y = t[r];
      let v: number;
      if (from_logits) {
        const lse = logSumExp(x, off, C);
        v = lse - x[off + y];
        if (gradient !== null) {
          for (let c = 0; c < C; c++) gradient[off + c] = (Math.exp(x[off + c] - lse) - (c === y ? 1 : 0)) * gradScale;
        }
      } else {
        let s = 0;
        for (let c = 0; c < C; c++) s += x[off + c];
        const q = x[off + y] / s;
        const p = clip(q);
        v = -Math.log(p);
        if (gradient !== null) {
          const a = insideClip(q) ? -1 / p : 0;
          for (let c = 0; c < C; c++) gradient[off + c] = ((a * ((c === y ? 1 : 0) - q)) / s) * gradScale;
        }
      }
      sum += v;
      if (perSample !== null) perSample[r] = v;
    }
    return sum;
  },
  plot: probability('predicted probability p of the true class (two classes)', (p) => ({ predictions: [[p, 1 - p]], targets: [0], dPredictions: [1, -1] })),
  sample: (r) => rows(r, () => r.uniform(0.1, 2)),
  example: { predictions: [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], targets: [0, 1] },
});
