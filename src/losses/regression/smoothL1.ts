import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { sign } from '../math.ts';
import { elementwise, away } from '../samples.ts';

// d = x - y. value = ½d²/β where |d| < β, else |d| - ½β (Huber divided by β).
// d/dx = d/β inside, sign(d) outside. β = 0 is plain l1 (PyTorch switches to l1_loss there,
// which also avoids the 0/0 of d/β at d = 0). Branch-free (see math.sign): with in = [|d| < β],
// the quadratic side reads only in·d over β + (1 - in), so outside it is 0/(β + 1) = 0 and a
// huge d never overflows into 0·∞; β = 0 leaves in = 0 everywhere, which is l1.
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y, params: { beta } }: KernelInput<{ beta: number }>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const d = x[i] - y[i];
    const a = Math.abs(d);
    const inside = +(a < beta);
    const di = inside * d;
    const v = (0.5 * di * di) / (beta + (1 - inside)) + (1 - inside) * (a - 0.5 * beta);
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = (di / (beta + (1 - inside)) + (1 - inside) * sign(d)) * gradScale;
  }
  return sum;
}

export const smoothL1 = defineLoss({
  name: 'smooth_l1',
  aliases: [],
  family: 'regression',
  libraryNames: { torch: { functional: 'smooth_l1_loss', module: 'SmoothL1Loss' } },
  docs: {
    summary: 'Smooth L1 loss (Fast R-CNN): Huber loss scaled by 1/β.',
    formula: 'ℓ = ½d²/β if |d| < β else |d| − ½β, d = x − y',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torch.nn.functional.smooth_l1_loss',
    predictions: 'real numbers, any rank ≥ 1',
    targets: 'real numbers, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: z.strictObject({
    beta: z.number().min(0, { error: 'beta must be ≥ 0' }).default(1.0).meta({ description: 'β: width of the quadratic zone; ≥ 0 (0 gives l1).' }),
  }),
  // The same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: ({ predictions: x, targets: y, params: { beta } }, lo, hi, out) => elementwiseSimd('smooth_l1', x, y, lo, hi, out, [beta]),
  scalarKernel: scalar,
  demo: {
    plot: residual(),
    // Residuals 0.1 or more from beta.
    sample: (r) => elementwise(() => r.normal(), (x) => x + (r.uniform() < 0.5 ? away(r, 0.05, 0.4) : away(r, 0.6, 3)), { beta: 0.5 }),
    example: { predictions: [2.5, 0.0, 2.0, 8.0], targets: [3.0, -0.5, 2.0, 7.0], params: { beta: 1.0 } },
  },
  check: {
    related: [{ loss: 'huber' }, { loss: 'keras.huber' }],
  },
});
