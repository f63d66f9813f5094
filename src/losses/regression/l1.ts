import { residual } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { noParams } from '../params.ts';
import { sign } from '../math.ts';
import { elementwise, away } from '../samples.ts';

// value = |x - y|;  d/dx = sign(x - y), with sign(0) = 0 as in PyTorch.
export const l1 = defineLoss({
  name: 'l1',
  aliases: ['mae', 'mean_absolute_error'],
  family: 'regression',
  libraryNames: { torch: { functional: 'l1_loss', module: 'L1Loss' } },
  docs: {
    summary: 'Mean absolute error: robust to outliers, median-seeking.',
    formula: 'ℓ = |x − y|',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torch.nn.functional.l1_loss',
    predictions: 'real numbers, any rank ≥ 1',
    targets: 'real numbers, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: noParams,
  // The same formula in WebAssembly SIMD (simd/kernels.c), which also checks the gradient as it
  // writes it; the loop below is its scalar reference.
  kernel: ({ predictions: x, targets: y }, lo, hi, out) => elementwiseSimd('l1', x, y, lo, hi, out),
  scalarKernel({ predictions: x, targets: y }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const d = x[i] - y[i];
      const v = Math.abs(d);
      sum += v;
      if (perSample !== null) perSample[i] = v;
      if (gradient !== null) gradient[i] = sign(d) * gradScale;
    }
    return sum;
  },
  demo: {
    plot: residual(),
    sample: (r) => elementwise(() => r.normal(), (x) => x + away(r, 0.05, 2)),
    example: { predictions: [2.5, 0.0, 2.0, 8.0], targets: [3.0, -0.5, 2.0, 7.0] },
  },
  check: {
    related: [{ loss: 'keras.mean_absolute_error' }],
  },
});
