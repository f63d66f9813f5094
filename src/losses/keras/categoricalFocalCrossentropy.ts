import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { logSumExp } from '../math.ts';
import { C, N, distributionRows, tensor } from '../samples.ts';
import type { FloatArray, TargetArray } from '../types.ts';
import { clip, insideClip } from '../multiclass/kerasProbabilities.ts';
import { kerasLoss } from './kerasLoss.ts';
import { fromLogits, kerasAxis, kerasLabelSmoothing } from './classificationParams.ts';

// Keras's categorical focal cross-entropy along `axis` (y′ the smoothed targets):
//   p = softmax(x) with from_logits (max-subtracted), else x;  q_c = p_c / Σ p;  o_c = clip(q_c)
//   ℓ = Σ_c α_c·(1 − o_c)^γ·(−y′_c·log o_c)
// With a_c = dℓ/do_c = α_c·(γ·(1 − o_c)^(γ−1)·y′_c·log o_c − (1 − o_c)^γ·y′_c/o_c) inside the clip
// (0 outside; the first term 0 when γ = 0), the renormalisation gives
//   dℓ/dp_k = (a_k − Σ_c a_c·q_c)/Σp,
// and with from_logits dℓ/dx_j = p_j·(dℓ/dp_j − Σ_k p_k·dℓ/dp_k). alpha is a scalar or one
// factor per class.
interface Params {
  alpha: number | number[];
  gamma: number;
  from_logits: boolean;
  label_smoothing: number;
  axis: number;
}

// The row's probabilities and dℓ/do, reused from row to row (a kernel runs to the end before the
// next starts in its thread): two arrays allocated per row of four classes took half the time.
let work = { p: new Float64Array(16), a: new Float64Array(16) };

function focalRow(x: FloatArray, x0: number, t: TargetArray, t0: number, C: number, { alpha, gamma, from_logits, label_smoothing: eps }: Params, g: FloatArray | null, scale: number): number {
  if (work.p.length < C) work = { p: new Float64Array(C), a: new Float64Array(C) };
  const { p, a } = work;
  if (from_logits) {
    const lse = logSumExp(x, x0, C);
    for (let c = 0; c < C; c++) p[c] = Math.exp(x[x0 + c] - lse);
  } else for (let c = 0; c < C; c++) p[c] = x[x0 + c];
  let S = 0;
  for (let c = 0; c < C; c++) S += p[c];
  let v = 0;
  let aq = 0;
  for (let c = 0; c < C; c++) {
    const q = p[c] / S;
    const o = clip(q);
    const y = t[t0 + c] * (1 - eps) + eps / C;
    const al = typeof alpha === 'number' ? alpha : alpha[c];
    const focal = (1 - o) ** gamma;
    v += al * focal * -y * Math.log(o);
    a[c] = insideClip(q) ? al * ((gamma === 0 ? 0 : gamma * (1 - o) ** (gamma - 1) * y * Math.log(o)) - (focal * y) / o) : 0;
    aq += a[c] * q;
  }
  if (g === null) return v;
  let gp = 0; // Σ_k p_k·dℓ/dp_k, for the softmax
  for (let c = 0; c < C; c++) {
    a[c] = (a[c] - aq) / S; // dℓ/dp_c
    gp += p[c] * a[c];
  }
  for (let c = 0; c < C; c++) g[x0 + c] = (from_logits ? p[c] * (a[c] - gp) : a[c]) * scale;
  return v;
}

export const kerasCategoricalFocalCrossentropy = kerasLoss<Params>({
  name: 'categorical_focal_crossentropy',
  className: 'CategoricalFocalCrossentropy',
  summary: "Keras's categorical focal cross-entropy: categorical cross-entropy down-weighted by α·(1 − p)^γ for the confident classes.",
  formula: 'ℓ = Σ over axis of α·(1 − o)^γ·(−y·log o), o = clip(p/Σp, 1e-7, 1 − 1e-7), p = x or softmax(x)',
  predictions: 'probabilities (or logits with from_logits), any rank ≥ 1; `axis` holds the classes',
  targets: 'one-hot or soft labels, the shape of predictions',
  targetRule: 'same',
  params: z.strictObject({
    alpha: z.union([z.number(), z.array(z.number()).min(1)]).default(0.25).meta({ description: 'A weight for every class, or one per class (a list along the class axis).' }),
    gamma: z.number().min(0, { error: 'gamma must be ≥ 0' }).default(2.0).meta({ description: 'The focusing exponent γ ≥ 0.' }),
    from_logits: fromLogits,
    label_smoothing: kerasLabelSmoothing,
    axis: kerasAxis,
  }),
  rules: ({ axis }) => ({ axis }),
  checkParams: ({ cols, params: { alpha } }) =>
    typeof alpha === 'number' || alpha.length === cols ? null : { code: 'invalid_params', field: 'params.alpha', detail: `alpha has ${alpha.length} factors for ${cols} classes` },
  row: focalRow,
  plot: probability('predicted probability p of the true class (two classes)', (p) => ({ predictions: [[p, 1 - p]], targets: [[1, 0]], dPredictions: [1, -1] })),
  sample: (r) => ({ inputs: { predictions: tensor(distributionRows(r), [N, C]), targets: tensor(distributionRows(r), [N, C]) }, params: { gamma: 1.5, alpha: [0.1, 0.2, 0.3, 0.4], label_smoothing: 0.05 } }),
  example: { inputs: { predictions: [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], targets: [[1, 0, 0], [0, 1, 0]] }, params: { alpha: 0.25, gamma: 2 } },
});
