import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { C, N, distributionRows, tensor, times } from '../samples.ts';
import type { InputProblem, KernelInput } from '../types.ts';
import { kerasLoss } from './kerasLoss.ts';

// Generalized cross-entropy (Zhang & Sabuncu 2018), robust to noisy labels: with p = x_y, the
// predicted probability of the target class as sent (no clip, no renormalisation),
//   ℓ = (1 − p^q)/q,  dℓ/dx_y = −p^(q−1), 0 for the other classes.
// q → 0 approaches cross-entropy, q = 1 is the MAE of the probability.
function classesInRange<P>({ targets: t, cols: C }: KernelInput<P>, lo: number, hi: number): InputProblem | null {
  for (let r = lo; r < hi; r++) {
    const y = Math.trunc(t[r]);
    if (!(y >= 0 && y < C)) return { code: 'class_index_out_of_range', field: 'targets', index: r, detail: `targets[${r}] = ${t[r]}: class index out of range [0, ${C})` };
  }
  return null;
}

export const kerasCategoricalGeneralizedCrossEntropy = kerasLoss({
  name: 'categorical_generalized_cross_entropy',
  className: 'CategoricalGeneralizedCrossEntropy',
  summary: "Keras's generalized cross-entropy: (1 − p^q)/q of the target class's probability, robust to noisy labels.",
  formula: 'ℓ = (1 − p_y^q)/q, p_y = predictions at the target class',
  predictions: 'probabilities [N, C] (or [N, T, C])',
  targets: 'class indices [N] (or [N, T])',
  targetRule: 'indices',
  params: z.strictObject({
    q: z.number().gt(0, { error: 'q must be in the open interval (0, 1)' }).lt(1, { error: 'q must be in the open interval (0, 1)' }).default(0.5).meta({ description: 'q in (0, 1): near 0 like cross-entropy, near 1 like MAE.' }),
  }),
  checkData: classesInRange,
  row(x, x0, t, t0, D, { q }, g, scale) {
    const y = Math.trunc(t[t0]);
    const p = x[x0 + y];
    if (g !== null) for (let c = 0; c < D; c++) g[x0 + c] = c === y ? -(p ** (q - 1)) * scale : 0;
    return (1 - p ** q) / q;
  },
  plot: probability('predicted probability p of the true class (two classes)', (p) => ({ predictions: [[p, 1 - p]], targets: [0], dPredictions: [1, -1] })),
  sample: (r) => ({ inputs: { predictions: tensor(distributionRows(r), [N, C]), targets: tensor(times(N, () => r.int(C)), [N]) }, params: { q: 0.3 } }),
  example: { inputs: { predictions: [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], targets: [0, 1] }, params: { q: 0.5 } },
});
