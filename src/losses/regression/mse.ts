import { residual } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { noParams } from '../params.ts';
import { elementwise } from '../samples.ts';

// value = (x - y)²;  d/dx = 2 (x - y).
export const mse = defineLoss({
  name: 'mse',
  aliases: ['mean_squared_error'],
  family: 'regression',
  libraryNames: { torch: { functional: 'mse_loss', module: 'MSELoss' } },
  docs: {
    summary: 'Mean squared error: the regression loss of least squares.',
    formula: 'ℓ = (x − y)²',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torch.nn.functional.mse_loss',
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
  kernel: ({ predictions: x, targets: y }, lo, hi, out) => elementwiseSimd('mse', x, y, lo, hi, out),
  scalarKernel({ predictions: x, targets: y }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const d = x[i] - y[i];
      const v = d * d;
      sum += v;
      if (perSample !== null) perSample[i] = v;
      if (gradient !== null) gradient[i] = 2 * d * gradScale;
    }
    return sum;
  },
  demo: {
    plot: residual(),
    sample: (r) => elementwise(() => r.normal() * 2, (x) => x + r.normal()),
    example: { predictions: [2.5, 0.0, 2.0, 8.0], targets: [3.0, -0.5, 2.0, 7.0] },
  },
  check: {
    related: [{ loss: 'keras.mean_squared_error' }],
  },
});
