import { margin } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { targetsPlusMinusOne } from '../checks.ts';
import { noParams } from '../params.ts';
import { elementwise } from '../samples.ts';

// value = e^{-y·x};  d/dx = -y·e^{-y·x}. For a margin below -709 the true value exceeds float64:
// such a request is answered with 422 (value overflows float64), never with inf.
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y }: KernelInput<unknown>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const s = y[i];
    const v = Math.exp(-s * x[i]);
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = -s * v * gradScale;
  }
  return sum;
}

export const exponential = defineLoss({
  name: 'exponential',
  aliases: [],
  family: 'binary',
  docs: {
    summary: 'Exponential loss on the margin y·x: the loss AdaBoost minimises.',
    formula: 'ℓ = exp(−y·x), y ∈ {−1, 1}',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: "AdaBoost's loss, written in torch ops as the formula",
    predictions: 'scores (real numbers), any rank ≥ 1',
    targets: '−1 or 1, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: noParams,
  checks: {
    checkData: targetsPlusMinusOne,
  },
  // The same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: ({ predictions: x, targets: y }, lo, hi, out) => elementwiseSimd('exponential', x, y, lo, hi, out),
  scalarKernel: scalar,
  demo: {
    plot: margin(),
    sample: (r) => elementwise(() => r.normal(), () => r.sign()),
    example: { predictions: [0.8, -0.4, 1.7, -2.0], targets: [1, -1, -1, -1] },
  },
});
