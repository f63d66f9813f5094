import { margin } from '../plotSlices.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { targetsPlusMinusOne } from '../checks.ts';
import { noParams } from '../params.ts';
import { elementwise } from '../samples.ts';

// m = y·x (the margin). value = log(1 + e^-m) = softplus(-m);  d/dx = -y·σ(-m).
// e = e^-|m| ≤ 1 serves both: softplus(-m) = max(-m, 0) + log1p(e) (finite for m = -1e4, where
// PyTorch 1.13's soft_margin_loss overflows to inf), σ(-m) = 1/(1 + e) for m ≤ 0, e/(1 + e) else.
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y }: KernelInput<unknown>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const s = y[i];
    const m = s * x[i];
    const e = Math.exp(-Math.abs(m));
    // Branch-free selections (math.sign): [m < 0]·(-m) is max(-m, 0); the numerator of σ(-m) is
    // 1 for m ≤ 0 and e for m > 0.
    const pos = +(m > 0);
    const v = (1 - pos) * -m + Math.log1p(e) + 0;
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = -s * ((1 - pos + pos * e) / (1 + e)) * gradScale;
  }
  return sum;
}

export const logistic = defineLoss({
  name: 'logistic',
  aliases: ['soft_margin'],
  family: 'binary',
  libraryNames: { torch: { functional: 'soft_margin_loss', module: 'SoftMarginLoss' } },
  docs: {
    summary: 'Logistic loss on the margin y·x: log-loss for ±1 labels.',
    formula: 'ℓ = log(1 + exp(−y·x)), y ∈ {−1, 1}',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torch.nn.functional.soft_margin_loss',
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
  kernel: ({ predictions: x, targets: y }, lo, hi, out) => elementwiseSimd('logistic', x, y, lo, hi, out),
  scalarKernel: scalar,
  demo: {
    plot: margin(),
    sample: (r) => elementwise(() => r.normal() * 3, () => r.sign()),
    example: { predictions: [0.8, -0.4, 1.7, -2.0], targets: [1, -1, -1, -1] },
  },
});
