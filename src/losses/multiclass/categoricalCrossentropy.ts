import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { targetsInUnitInterval } from '../checks.ts';
import { labelSmoothing } from '../params.ts';
import { logSumExp } from '../math.ts';
import { clip, insideClip, probabilityRows } from './kerasProbabilities.ts';
import { distributionRows, tensor, N, C } from '../samples.ts';

// Smoothed targets t'_c = (1 - ε)·t_c + ε/C, T = Σ_c t'_c.
// from_logits: ℓ = Σ_c t'_c (lse - x_c) with a max-subtracted lse;  dℓ/dx_c = T·p_c - t'_c.
// probabilities: s = Σ_c x_c, q_c = x_c/s, r_c = clip(q_c, 1e-7, 1 - 1e-7), ℓ = -Σ_c t'_c log r_c.
//   With a_c = dℓ/dq_c = -t'_c/r_c where the clip is inactive (0 where it is) and
//   dq_c/dx_k = ([c = k] - q_c)/s:   dℓ/dx_k = (a_k - Σ_c a_c q_c)/s.
//   So the gradient carries the renormalisation term even for rows that already sum to 1.
export const categoricalCrossentropy = defineLoss({
  name: 'categorical_crossentropy',
  aliases: [],
  family: 'multiclass',
  summary: "Keras's categorical cross-entropy: one-hot or soft targets, on probabilities or logits.",
  formula: '−Σ_c t_c·log p_c, p renormalised to sum 1 and clipped to [1e-7, 1−1e-7] when not logits',
  reductionRule: 'mean divides Σℓ by N.',
  reference: 'Keras CategoricalCrossentropy',
  predictions: 'probabilities [N, C] (≥ 0, rows renormalised), or logits [N, C] with from_logits',
  targets: 'one-hot or probabilities [N, C] in [0, 1]',
  layout: 'rows',
  targetLayout: 'same',
  params: z.strictObject({
    from_logits: z.boolean().default(false).meta({ description: 'true: predictions are logits; false: probabilities.' }),
    label_smoothing: labelSmoothing,
  }),
  checkData: (input, lo, hi) => targetsInUnitInterval(input, lo, hi) ?? (input.params.from_logits ? null : probabilityRows(input, lo, hi)),
  kernel({ predictions: x, targets: t, cols: C, params: { from_logits, label_smoothing: eps } }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      const off = r * C;
      let v = 0;
      if (from_logits) {
        const lse = logSumExp(x, off, C);
        let T = 0;
        for (let c = 0; c < C; c++) {
          const tc = (1 - eps) * t[off + c] + eps / C;
          T += tc;
          v += tc * (lse - x[off + c]);
        }
        if (gradient !== null) {
          for (let c = 0; c < C; c++) gradient[off + c] = (T * Math.exp(x[off + c] - lse) - ((1 - eps) * t[off + c] + eps / C)) * gradScale;
        }
      } else {
        let s = 0;
        for (let c = 0; c < C; c++) s += x[off + c];
        let aq = 0; // Σ_c a_c q_c
        for (let c = 0; c < C; c++) {
          const q = x[off + c] / s;
          const p = clip(q);
          const tc = (1 - eps) * t[off + c] + eps / C;
          v -= tc * Math.log(p);
          if (gradient !== null) {
            const a = insideClip(q) ? -tc / p : 0;
            aq += a * q;
            gradient[off + c] = a; // a_c for now; finished below
          }
        }
        if (gradient !== null) for (let c = 0; c < C; c++) gradient[off + c] = ((gradient[off + c] - aq) / s) * gradScale;
      }
      sum += v;
      if (perSample !== null) perSample[r] = v;
    }
    return sum;
  },
  plot: probability('predicted probability p of the true class (two classes)', (p) => ({ predictions: [[p, 1 - p]], targets: [[1, 0]], dPredictions: [1, -1] })),
  sample: (r) => ({ inputs: { predictions: tensor(distributionRows(r), [N, C]), targets: tensor(distributionRows(r), [N, C]) }, params: { label_smoothing: 0.05 } }),
  example: { predictions: [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], targets: [[1, 0, 0], [0, 1, 0]] },
});
