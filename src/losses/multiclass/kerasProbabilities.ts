// Keras's reading of probability predictions (from_logits: false), shared by
// categorical_crossentropy and sparse_categorical_crossentropy: each row is divided by its sum,
// then clipped to [ε, 1 - ε] with Keras's ε = 1e-7 before the log.
import type { InputProblem, KernelInput } from '../types.ts';

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
