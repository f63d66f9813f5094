import { residual } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { noParams } from '../params.ts';
import { logCosh as logCoshOf } from '../math.ts';
import { elementwise } from '../samples.ts';

// value = log cosh(x - y), evaluated by math.logCosh without overflow (|d| > 710) or
// cancellation (d near 0).  d/dx = tanh(x - y), which Math.tanh gives safely for any d.
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y }: KernelInput<unknown>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const d = x[i] - y[i];
    const v = logCoshOf(d);
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = Math.tanh(d) * gradScale;
  }
  return sum;
}

export const logCosh = defineLoss({
  name: 'log_cosh',
  aliases: ['logcosh'],
  family: 'regression',
  docs: {
    summary: 'Log-cosh: ½d² near zero, |d| − log 2 in the tails, smooth everywhere.',
    formula: 'ℓ = log(cosh(x − y))',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'Keras log_cosh (elementwise, PyTorch-style reduction)',
    predictions: 'real numbers, any rank ≥ 1',
    targets: 'real numbers, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: noParams,
  // The same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: ({ predictions: x, targets: y }, lo, hi, out) => elementwiseSimd('log_cosh', x, y, lo, hi, out),
  scalarKernel: scalar,
  demo: {
    plot: residual(),
    sample: (r) => elementwise(() => r.normal() * 3, (x) => x + r.normal() * 2),
    example: { predictions: [2.5, 0.0, 2.0, 8.0], targets: [3.0, -0.5, 2.0, 7.0] },
  },
  check: {
    related: [{ loss: 'keras.log_cosh' }],
  },
});
