import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { C, N, tensor, times } from '../samples.ts';
import { EPSILON, kerasLoss } from './kerasLoss.ts';
import { overlapAxis } from './overlapParams.ts';

// Dice loss over the summed axes: with I = Σ y·x and S = Σ y + Σ x + ε (ε = 1e-7),
//   ℓ = 1 − 2I/S,  dℓ/dx_k = −2·(y_k·S − I)/S².
export const kerasDice = kerasLoss({
  name: 'dice',
  className: 'Dice',
  summary: "Keras's Dice loss: one minus the overlap 2|y∩x| / (|y| + |x|) of soft masks (segmentation).",
  formula: 'ℓ = 1 − 2·Σ y·x / (Σ y + Σ x + 1e-7), the sums over axis',
  predictions: 'soft masks, any rank ≥ 1',
  targets: 'masks, broadcastable to predictions',
  targetRule: 'broadcast',
  params: z.strictObject({ axis: overlapAxis }),
  rules: ({ axis }) => ({ axis }),
  row(x, x0, t, t0, D, _p, g, scale) {
    let I = 0;
    let S = EPSILON;
    for (let k = 0; k < D; k++) {
      I += t[t0 + k] * x[x0 + k];
      S += t[t0 + k] + x[x0 + k];
    }
    if (g !== null) for (let k = 0; k < D; k++) g[x0 + k] = ((-2 * (t[t0 + k] * S - I)) / (S * S)) * scale;
    return 1 - (2 * I) / S;
  },
  plot: probability('predicted mask value p at a pixel whose target is 1 (the other pixel exact)', (p) => ({ predictions: [p, 0], targets: [1, 0], dPredictions: [1, 0] })),
  sample: (r) => ({ inputs: { predictions: tensor(times(N * C, () => r.uniform(0.05, 0.95)), [N, C]), targets: tensor(times(N * C, () => r.int(2)), [N, C]) }, params: { axis: [1] } }),
  example: { inputs: { predictions: [[[0.9, 0.2], [0.7, 0.1]], [[0.3, 0.8], [0.2, 0.6]]], targets: [[[1, 0], [1, 0]], [[0, 1], [0, 1]]], sample_weight: [1, 2] }, params: { axis: [1, 2] } },
});
