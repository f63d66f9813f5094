import { z } from 'zod';
import { margin } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { targetsZeroOrOne } from '../checks.ts';
import { elementwise } from '../samples.ts';

// torchvision: p_t = σ(x) for y = 1 and 1 - σ(x) for y = 0; value = α_t (1 - p_t)^γ · BCE(x, y).
// Write s = x for y = 1 and s = -x for y = 0. Then 1 - p_t = σ(-s) and BCE = softplus(-s), so
//   value = α_t · σ(-s)^γ · softplus(-s),
// computed from e = e^-|s| alone (never 1 - σ, which cancels for large s). Differentiating,
// with dσ(-s)/ds = -σ(-s)σ(s) and d softplus(-s)/ds = -σ(-s):
//   d/ds = -α_t · σ(-s)^γ · (γ·σ(s)·softplus(-s) + σ(-s)),   d/dx = ±d/ds.
// This form has no negative power of σ(-s), so γ < 1 stays finite where σ(-s) underflows to 0.
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y, params: { alpha, gamma } }: KernelInput<{ alpha: number; gamma: number }>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    // Branch-free selections (math.sign): t ∈ {0, 1}, so each selection has one zero term.
    const t = y[i];
    const s = (2 * t - 1) * x[i];
    const a = alpha < 0 ? 1 : t * alpha + (1 - t) * (1 - alpha);
    const e = Math.exp(-Math.abs(s));
    const up = +(s >= 0);
    const sigNeg = (up * e + (1 - up)) / (1 + e); // σ(-s)
    const sigPos = (up + (1 - up) * e) / (1 + e); // σ(s)
    const bce = (1 - up) * -s + Math.log1p(e); // softplus(-s)
    const focus = sigNeg ** gamma;
    const v = a * focus * bce;
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) {
      const dS = -a * focus * (gamma * sigPos * bce + sigNeg);
      gradient[i] = (2 * t - 1) * dS * gradScale;
    }
  }
  return sum;
}

export const sigmoidFocal = defineLoss({
  name: 'sigmoid_focal',
  aliases: ['focal'],
  family: 'binary',
  libraryNames: { torch: { functional: 'sigmoid_focal_loss', namespace: 'torchvision.ops' } },
  docs: {
    summary: 'Sigmoid focal loss (RetinaNet): BCE-with-logits down-weighted on well-classified examples.',
    formula: 'ℓ = α_t(1−p_t)^γ · BCE-with-logits(x, y), p_t = σ(x) if y = 1 else 1 − σ(x)',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torchvision.ops.sigmoid_focal_loss',
    predictions: 'logits (real numbers), any rank ≥ 1',
    targets: '0 or 1, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: z.strictObject({
    alpha: z
      .union([z.number().min(0).max(1), z.literal(-1)], { error: 'alpha must lie in [0, 1], or be -1 for no alpha weighting' })
      .default(0.25)
      .meta({ description: 'Weight of the positive class, α_t = α for y = 1 and 1 − α for y = 0; in [0, 1], or −1 for none.' }),
    gamma: z.number().min(0, { error: 'gamma must be ≥ 0' }).default(2.0).meta({ description: 'Focusing exponent γ ≥ 0; 0 gives α-weighted BCE-with-logits.' }),
  }),
  checks: {
    checkData: targetsZeroOrOne,
  },
  // The same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: ({ predictions: x, targets: y, params: { alpha, gamma } }, lo, hi, out) =>
    elementwiseSimd('sigmoid_focal', x, y, lo, hi, out, [alpha, gamma]),
  scalarKernel: scalar,
  demo: {
    plot: margin([-4, 4]),
    sample: (r) => elementwise(() => r.normal() * 2, () => r.int(2), { alpha: 0.3, gamma: 1.5 }),
    example: { predictions: [2.2, -1.0, 0.3, -3.5], targets: [1, 0, 1, 0], params: { alpha: 0.25, gamma: 2 } },
  },
});
