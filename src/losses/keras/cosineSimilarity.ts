import { z } from 'zod';
import { kerasLoss } from './kerasLoss.ts';
import { kerasSample } from './regressionSamples.ts';

// ℓ = −Σ_k ŷ_k·x̂_k along `axis`, each vector normalised as Keras's normalize does:
// v̂ = v·r, r = 1/√max(Σv², ε²) with ε = 1e-7 (a zero vector gives 0 and a finite gradient).
// With A = Σ ŷ_k·x_k (so ℓ = −r·A): where Σx² > ε², dr/dx_k = −x_k·r³ and
//   dℓ/dx_k = −ŷ_k·r + A·x_k·r³;  else dℓ/dx_k = −ŷ_k·r.
const EPS2 = 1e-14;

export const kerasCosineSimilarity = kerasLoss({
  name: 'cosine_similarity',
  className: 'CosineSimilarity',
  summary: "Keras's cosine similarity loss: minus the cosine of the angle between prediction and target (−1 is best).",
  formula: 'ℓ = −Σ over axis of normalize(y)·normalize(x)',
  predictions: 'vectors along `axis`, any rank ≥ 1',
  targets: 'vectors, broadcastable to predictions',
  targetRule: 'broadcast',
  params: z.strictObject({ axis: z.number().int({ error: 'axis must be an integer' }).default(-1).meta({ description: 'The axis the cosine runs along.' }) }),
  rules: ({ axis }) => ({ axis }),
  row(x, x0, t, t0, D, _p, g, scale) {
    let sx = 0;
    let sy = 0;
    for (let k = 0; k < D; k++) {
      sx += x[x0 + k] * x[x0 + k];
      sy += t[t0 + k] * t[t0 + k];
    }
    const r = 1 / Math.sqrt(Math.max(sx, EPS2));
    const ry = 1 / Math.sqrt(Math.max(sy, EPS2));
    let A = 0;
    for (let k = 0; k < D; k++) A += t[t0 + k] * ry * x[x0 + k];
    if (g !== null) {
      const clamped = sx <= EPS2;
      for (let k = 0; k < D; k++) g[x0 + k] = (-t[t0 + k] * ry * r + (clamped ? 0 : A * x[x0 + k] * r * r * r)) * scale;
    }
    return -r * A;
  },
  plot: {
    axis: 'prediction',
    label: 'angle θ of the prediction (cos θ, sin θ) from the target (1, 0), in radians',
    range: [-3, 3],
    at: (a) => ({ predictions: [Math.cos(a), Math.sin(a)], targets: [1, 0], dPredictions: [-Math.sin(a), Math.cos(a)] }),
  },
  sample: (r) => kerasSample(r, () => r.normal(), () => r.normal()),
  example: { inputs: { predictions: [[1, 0.5], [0.2, 0.9]], targets: [[1, 0], [0, 1]] }, params: { axis: -1 } },
});
