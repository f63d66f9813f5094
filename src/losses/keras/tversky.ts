import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { C, N, tensor, times } from '../samples.ts';
import { EPSILON, kerasLoss } from './kerasLoss.ts';
import { overlapAxis } from './overlapParams.ts';

// Tversky loss over the summed axes: with I = Σ x·y, FP = Σ (1 − y)·x, FN = Σ y·(1 − x) and
// S = I + α·FP + β·FN + ε (ε = 1e-7),
//   ℓ = 1 − I/S,  dℓ/dx_k = −(y_k·S − I·(y_k + α·(1 − y_k) − β·y_k))/S².
// α = β = 0.5 is the Dice loss (up to ε).
export const kerasTversky = kerasLoss({
  name: 'tversky',
  className: 'Tversky',
  summary: "Keras's Tversky loss: Dice with false positives weighted by alpha and false negatives by beta.",
  formula: 'ℓ = 1 − Σx·y / (Σx·y + α·Σ(1 − y)·x + β·Σy·(1 − x) + 1e-7), the sums over axis',
  predictions: 'soft masks, any rank ≥ 1',
  targets: 'masks, broadcastable to predictions',
  targetRule: 'broadcast',
  params: z.strictObject({
    alpha: z.number().default(0.5).meta({ description: 'The weight of false positives.' }),
    beta: z.number().default(0.5).meta({ description: 'The weight of false negatives.' }),
    axis: overlapAxis,
  }),
  rules: ({ axis }) => ({ axis }),
  row(x, x0, t, t0, D, { alpha, beta }, g, scale) {
    let I = 0;
    let fp = 0;
    let fn = 0;
    for (let k = 0; k < D; k++) {
      const y = t[t0 + k];
      const xk = x[x0 + k];
      I += xk * y;
      fp += (1 - y) * xk;
      fn += y * (1 - xk);
    }
    const S = I + alpha * fp + beta * fn + EPSILON;
    if (g !== null) {
      for (let k = 0; k < D; k++) {
        const y = t[t0 + k];
        g[x0 + k] = (-(y * S - I * (y + alpha * (1 - y) - beta * y)) / (S * S)) * scale;
      }
    }
    return 1 - I / S;
  },
  plot: probability('predicted mask value p at a pixel whose target is 1 (the other pixel exact)', (p) => ({ predictions: [p, 0], targets: [1, 0], dPredictions: [1, 0] })),
  sample: (r) => ({ inputs: { predictions: tensor(times(N * C, () => r.uniform(0.05, 0.95)), [N, C]), targets: tensor(times(N * C, () => r.int(2)), [N, C]) }, params: { alpha: 0.3, beta: 0.7, axis: -1 } }),
  example: { inputs: { predictions: [[[0.9, 0.2], [0.7, 0.1]], [[0.3, 0.8], [0.2, 0.6]]], targets: [[[1, 0], [1, 0]], [[0, 1], [0, 1]]] }, params: { alpha: 0.5, beta: 0.5, axis: [1, 2] } },
});
