import { z } from 'zod';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { clampedLogs, SIMD_CHUNK } from '../simd/simd.ts';
import { elementwise, tensor, times, N, C } from '../samples.ts';

// Negative log-likelihood of y under N(μ = x, σ² = v), with v clamped at eps (as PyTorch does,
// without gradient: the clamp happens under no_grad, so d/dv flows as if v were not clamped):
//   v̂ = max(v, eps),  ℓ = ½·(log v̂ + (x − y)²/v̂)  (+ ½·log 2π with full)
//   dℓ/dx = (x − y)/v̂,   dℓ/dv = ½·(1/v̂ − (x − y)²/v̂²).
// A var of one value per row (shape [..., 1] or without the last dimension) is expanded along the
// row for the kernel and its gradient summed back (validation/prepareLossTask.ts).
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const MIN_NORMAL = 2 ** -1022;

type Params = { full: boolean; eps: number };

/** The formula as PyTorch writes it, one element at a time (the reference of the kernel below). */
function scalar({ predictions: x, targets: y, extra, params: { full, eps } }: KernelInput<Params>, lo: number, hi: number, { perSample, gradient, gradScale, gradients }: KernelOutput): number {
  const v = extra.var;
  const gv = gradients.var ?? null;
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const vi = Math.max(v[i], eps);
    const d = x[i] - y[i];
    const q = (d * d) / vi;
    const l = 0.5 * (Math.log(vi) + q) + (full ? HALF_LOG_2PI : 0);
    sum += l;
    if (perSample !== null) perSample[i] = l;
    if (gradient !== null) gradient[i] = (d / vi) * gradScale;
    if (gv !== null) gv[i] = 0.5 * (1 / vi - q / vi) * gradScale;
  }
  return sum;
}

export const gaussianNll = defineLoss({
  name: 'gaussian_nll',
  aliases: [],
  family: 'regression',
  libraryNames: { torch: { functional: 'gaussian_nll_loss', module: 'GaussianNLLLoss' } },
  docs: {
    summary: 'Gaussian negative log-likelihood: the prediction is a mean, var its variance (heteroscedastic regression).',
    formula: 'ℓ = ½·(log max(var, eps) + (x − y)²/max(var, eps)) (+ ½·log 2π with full)',
    reductionRule: 'mean divides Σℓ by the number of elements of predictions.',
    reference: 'torch.nn.functional.gaussian_nll_loss',
    predictions: 'means, any rank ≥ 1',
    targets: "observed values, the shape of predictions or one that broadcasts to it",
  },
  tensors: {
    inputs: [
      { name: 'predictions', differentiable: true, description: 'the predicted means, any rank ≥ 1' },
      { name: 'targets', differentiable: false, description: "the observed values: the shape of predictions, or one that broadcasts to it (numpy's rules: [1], a number, [N, 1] against [N, D], …)" },
      {
        name: 'var',
        differentiable: true,
        description: 'the predicted variances ≥ 0: the shape of predictions, or one per row (that shape with its last dimension 1, or without it)',
        shape: 'same-or-per-row',
        nonNegative: true,
      },
    ],
    layout: 'elementwise',
    targetLayout: 'same',
    // (x − y)² broadcasts in PyTorch: targets [1], a number, [N, 1] against [N, D], …
    shapes: { broadcastTargets: true },
  },
  params: z.strictObject({
    full: z.boolean().default(false).meta({ description: 'true: add the constant ½·log 2π.' }),
    eps: z.number().gt(0, { error: 'eps must be > 0' }).default(1e-6).meta({ description: 'The variance is clamped at eps (for stability); > 0.' }),
  }),
  // The logs of the clamped variances by the WebAssembly module's vectorised log (simd/kernels.c,
  // within 1 ulp of Math.log), a chunk at a time; the rest is arithmetic, here. An eps below the
  // normal doubles (which the module's log does not take) runs the scalar form.
  kernel(input, lo, hi, out) {
    const { predictions: x, targets: y, extra, params } = input;
    const { full, eps } = params;
    if (!(eps >= MIN_NORMAL)) return scalar(input, lo, hi, out);
    const { perSample, gradient, gradScale, gradients } = out;
    const v = extra.var;
    const gv = gradients.var ?? null;
    const constant = full ? HALF_LOG_2PI : 0;
    let sum = 0;
    for (let from = lo; from < hi; from += SIMD_CHUNK) {
      const to = Math.min(hi, from + SIMD_CHUNK);
      const logs = clampedLogs(v, from, to - from, eps);
      for (let i = from; i < to; i++) {
        const vi = Math.max(v[i], eps);
        const d = x[i] - y[i];
        const r = 1 / vi;
        const q = d * d * r;
        const l = 0.5 * (logs[i - from] + q) + constant;
        sum += l;
        if (perSample !== null) perSample[i] = l;
        if (gradient !== null) gradient[i] = d * r * gradScale;
        if (gv !== null) gv[i] = 0.5 * (r - q * r) * gradScale;
      }
    }
    return sum;
  },
  scalarKernel: (input, lo, hi, out) => scalar(input, lo, hi, out),
  demo: {
    plot: {
      axis: 'residual',
      label: 'residual d = x − y (var = 1)',
      range: [-3, 3],
      at: (d) => ({ predictions: [d], targets: [0], dPredictions: [1], extra: { var: [1] } }),
    },
    // Variances above eps (no clamp in the way of the finite differences); a third of the time
    // targets that broadcast, one per row ([N, 1]).
    sample: (r) => {
      const s = elementwise(() => r.normal() * 2, (x) => x + r.normal());
      const targets = r.int(3) === 0 ? tensor(times(N, () => r.normal() * 2), [N, 1]) : s.inputs.targets;
      return { ...s, inputs: { ...s.inputs, targets, var: tensor(times(N * C, () => r.uniform(0.2, 3)), [N, C]) } };
    },
    example: { inputs: { predictions: [0.5, 1.8, -0.3], targets: [0.2, 2.0, 0.4], var: [0.25, 1.0, 0.5] }, params: { full: false } },
  },
});
