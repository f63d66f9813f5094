import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { sign } from '../math.ts';
import { elementwise, away } from '../samples.ts';

// d = x - y. value = ½d² where |d| ≤ δ, else δ(|d| - ½δ): quadratic near 0, linear in the tails,
// with matching value and slope at |d| = δ.  d/dx = d inside, δ·sign(d) outside (= clamp(d, -δ, δ)).
// Branch-free (see math.sign): with in = [|d| ≤ δ] and c = in·|d| + (1 - in)·δ, value = c·(|d| - ½c)
// gives ½d² inside (|d| - ½|d| = ½|d| exactly) and δ(|d| - ½δ) outside, never squaring a huge d.
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y, params: { delta } }: KernelInput<{ delta: number }>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const d = x[i] - y[i];
    const a = Math.abs(d);
    const inside = +(a <= delta);
    const c = inside * a + (1 - inside) * delta;
    const v = c * (a - 0.5 * c);
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = (inside * d + (1 - inside) * delta * sign(d)) * gradScale;
  }
  return sum;
}

export const huber = defineLoss({
  name: 'huber',
  aliases: [],
  family: 'regression',
  libraryNames: { torch: { functional: 'huber_loss', module: 'HuberLoss' } },
  docs: {
    summary: 'Huber loss: squared error near zero, absolute error in the tails.',
    formula: 'ℓ = ½d² if |d| ≤ δ else δ(|d| − ½δ), d = x − y',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torch.nn.functional.huber_loss',
    predictions: 'real numbers, any rank ≥ 1',
    targets: 'real numbers, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: z.strictObject({
    delta: z.number().gt(0, { error: 'delta must be > 0' }).default(1.0).meta({ description: 'δ: where the loss turns from quadratic to linear; > 0.' }),
  }),
  // The same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: ({ predictions: x, targets: y, params: { delta } }, lo, hi, out) => elementwiseSimd('huber', x, y, lo, hi, out, [delta]),
  scalarKernel: scalar,
  demo: {
    plot: residual(),
    // Residuals 0.15 or more from delta, where the loss turns linear.
    sample: (r) => elementwise(() => r.normal(), (x) => x + (r.uniform() < 0.5 ? away(r, 0.05, 0.6) : away(r, 0.9, 3)), { delta: 0.75 }),
    example: { predictions: [2.5, 0.0, 2.0, 8.0], targets: [3.0, -0.5, 2.0, 7.0], params: { delta: 1.0 } },
  },
  check: {
    related: [{ loss: 'smooth_l1' }, { loss: 'keras.huber' }],
  },
});
