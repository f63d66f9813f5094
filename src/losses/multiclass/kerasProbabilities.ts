// Keras's reading of probability predictions (from_logits: false), shared by
// categorical_crossentropy and sparse_categorical_crossentropy: each row is divided by its sum,
// then clipped to [ε, 1 - ε] with Keras's ε = 1e-7 before the log.
import type { FloatArray, InputProblem, KernelInput, TargetArray } from '../types.ts';
import { logSumExp } from '../math.ts';

export const CLIP_LOW = 1e-7;
export const CLIP_HIGH = 1 - 1e-7;

/** The clip, and whether it lets the gradient through (torch.clamp passes it at the bounds). */
export const clip = (q: number) => (q < CLIP_LOW ? CLIP_LOW : Math.min(q , CLIP_HIGH));
export const insideClip = (q: number) => q >= CLIP_LOW && q <= CLIP_HIGH;

/** Probability predictions must be ≥ 0 with a positive sum in every row (the renormalisation
 *  divides by it). Rows need not sum to 1. */
export function probabilityRows({ predictions: x, cols }: KernelInput<unknown>, lo: number, hi: number): InputProblem | null {
  for (let r = lo; r < hi; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c];
      if (!(v >= 0)) {
        const i = r * cols + c;
        return { code: 'prediction_out_of_domain', field: 'predictions', index: i, detail: `predictions[${i}] = ${v}: probabilities must be ≥ 0 (send logits with from_logits: true)` };
      }
      s += v;
    }
    if (s === 0) {
      return { code: 'prediction_out_of_domain', field: 'predictions', index: r * cols, detail: `predictions row ${r} sums to 0 and cannot be renormalised` };
    }
  }
  return null;
}

// One row of C classes, for the Part 1 kernels and the keras.* losses alike. Each returns the row's
// loss and, when g is given, writes its gradient times `scale` at g[x0 .. x0 + C).

/** −Σ_c t′_c·log p_c with t′ = (1 − ε)·t + ε/C.
 *  from_logits: log p = x − lse(x);  dℓ/dx_c = (Σ t′)·p_c − t′_c.
 *  probabilities: s = Σ x, q_c = x_c/s, p_c = clip(q_c); with a_c = −t′_c/p_c where the clip is
 *  inactive (0 where it is) and dq_c/dx_k = ([c = k] − q_c)/s:  dℓ/dx_k = (a_k − Σ_c a_c·q_c)/s. */
export function categoricalRow(x: FloatArray, x0: number, t: TargetArray, t0: number, C: number, fromLogits: boolean, eps: number, g: FloatArray | null, scale: number): number {
  let v = 0;
  if (fromLogits) {
    const lse = logSumExp(x, x0, C);
    let T = 0;
    for (let c = 0; c < C; c++) {
      const tc = (1 - eps) * t[t0 + c] + eps / C;
      T += tc;
      v += tc * (lse - x[x0 + c]);
    }
    if (g !== null) for (let c = 0; c < C; c++) g[x0 + c] = (T * Math.exp(x[x0 + c] - lse) - ((1 - eps) * t[t0 + c] + eps / C)) * scale;
    return v;
  }
  let s = 0;
  for (let c = 0; c < C; c++) s += x[x0 + c];
  let aq = 0; // Σ_c a_c q_c
  for (let c = 0; c < C; c++) {
    const q = x[x0 + c] / s;
    const p = clip(q);
    const tc = (1 - eps) * t[t0 + c] + eps / C;
    v -= tc * Math.log(p);
    if (g !== null) {
      const a = insideClip(q) ? -tc / p : 0;
      aq += a * q;
      g[x0 + c] = a; // a_c for now; finished below
    }
  }
  if (g !== null) for (let c = 0; c < C; c++) g[x0 + c] = ((g[x0 + c] - aq) / s) * scale;
  return v;
}

/** −log p_y for class index y.
 *  from_logits: ℓ = lse − x_y;  dℓ/dx_c = p_c − [c = y].
 *  probabilities: q_y = x_y/s, ℓ = −log clip(q_y); a = −1/q_y where the clip is inactive (0 where
 *  it is):  dℓ/dx_k = a·([k = y] − q_y)/s. */
export function sparseRow(x: FloatArray, x0: number, y: number, C: number, fromLogits: boolean, g: FloatArray | null, scale: number): number {
  if (fromLogits) {
    const lse = logSumExp(x, x0, C);
    if (g !== null) for (let c = 0; c < C; c++) g[x0 + c] = (Math.exp(x[x0 + c] - lse) - (c === y ? 1 : 0)) * scale;
    return lse - x[x0 + y];
  }
  let s = 0;
  for (let c = 0; c < C; c++) s += x[x0 + c];
  const q = x[x0 + y] / s;
  const p = clip(q);
  if (g !== null) {
    const a = insideClip(q) ? -1 / p : 0;
    for (let c = 0; c < C; c++) g[x0 + c] = ((a * ((c === y ? 1 : 0) - q)) / s) * scale;
  }
  return -Math.log(p);
}
