import { residual } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { noParams } from '../params.ts';
import { elementwise } from '../samples.ts';

// a = log(1 + max(x, 0)), b = log(1 + max(y, 0)); value = (a - b)².
// d/dx = 2(a - b)/(1 + x) where x ≥ 0 (the clamp passes its gradient at 0, as torch.clamp does),
// 0 where x < 0. log1p keeps small values exact.
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y }: KernelInput<unknown>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const xi = x[i];
    const d = Math.log1p(Math.max(xi , 0)) - Math.log1p(Math.max(y[i] , 0));
    const v = d * d;
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = xi >= 0 ? ((2 * d) / (1 + xi)) * gradScale : 0;
  }
  return sum;
}

export const msle = defineLoss({
  name: 'msle',
  aliases: ['mean_squared_logarithmic_error'],
  family: 'regression',
  docs: {
    summary: 'Mean squared logarithmic error: squared error of log(1 + ·), for positive targets spanning magnitudes.',
    formula: 'ℓ = (log(max(x,0)+1) − log(max(y,0)+1))²',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'Keras mean_squared_logarithmic_error, clipped at 0 instead of 1e-7',
    predictions: 'real numbers (negative values count as 0), any rank ≥ 1',
    targets: 'real numbers (negative values count as 0), same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: noParams,
  // The same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: ({ predictions: x, targets: y }, lo, hi, out) => elementwiseSimd('msle', x, y, lo, hi, out),
  scalarKernel: scalar,
  demo: {
    plot: residual([-1, 5], 1),
    sample: (r) => elementwise(() => r.uniform(0.1, 5), () => r.uniform(0, 5)),
    example: { predictions: [2.5, 0.0, 2.0, 8.0], targets: [3.0, 0.5, 2.0, 7.0] },
  },
  check: {
    related: [{ loss: 'keras.mean_squared_logarithmic_error' }],
  },
});
