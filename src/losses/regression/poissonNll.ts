import { z } from 'zod';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { predictionsNonNegative, targetsNonNegative } from '../checks.ts';
import { elementwise } from '../samples.ts';

const countTargets = targetsNonNegative('Poisson targets are counts and must be ≥ 0');
const nonNegativeRates = predictionsNonNegative('with log_input false, predictions are rates and must be ≥ 0');

// Negative log-likelihood of y under Poisson(λ), without the log(y!) constant (full = false).
// log_input (x = log λ): value = e^x - y·x,  d/dx = e^x - y.
// rate input  (x = λ):    value = x - y·log(x + eps),  d/dx = 1 - y/(x + eps).
// full adds Stirling's approximation of log(y!), y·log y − y + ½·log(2πy), where y > 1 (PyTorch
// masks it to 0 for y ≤ 1); it depends on y alone, so the gradient does not change.
// e^x overflows for x > 709: such a log-rate is answered with 422 (value overflows float64).
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y, params: { log_input, eps, full } }: KernelInput<{ log_input: boolean; eps: number; full: boolean }>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const xi = x[i];
    const yi = y[i];
    let v: number;
    let g: number;
    if (log_input) {
      const e = Math.exp(xi);
      v = e - yi * xi;
      g = e - yi;
    } else {
      v = xi - yi * Math.log(xi + eps);
      g = 1 - yi / (xi + eps);
    }
    if (full && yi > 1) v += yi * Math.log(yi) - yi + 0.5 * Math.log(2 * Math.PI * yi);
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = g * gradScale;
  }
  return sum;
}

export const poissonNll = defineLoss({
  name: 'poisson_nll',
  aliases: ['poisson'],
  family: 'regression',
  libraryNames: { torch: { functional: 'poisson_nll_loss', module: 'PoissonNLLLoss' } },
  docs: {
    summary: 'Poisson negative log-likelihood, for count targets.',
    formula: 'ℓ = exp(x) − y·x if log_input else x − y·log(x + eps); with full, + y·log y − y + ½·log(2πy) where y > 1',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torch.nn.functional.poisson_nll_loss',
    predictions: 'log-rates (log_input) or rates ≥ 0, any rank ≥ 1',
    targets: 'counts ≥ 0, same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: z.strictObject({
    log_input: z.boolean().default(true).meta({ description: 'true: predictions are log-rates; false: rates.' }),
    eps: z.number().gt(0, { error: 'eps must be > 0' }).default(1e-8).meta({ description: 'Added to the rate inside the log when log_input is false; > 0.' }),
    full: z.boolean().default(false).meta({ description: "true: add Stirling's term for log(y!) where y > 1 (the full negative log-likelihood)." }),
  }),
  checks: {
    checkData: (input, lo, hi) => countTargets(input, lo, hi) ?? (input.params.log_input ? null : nonNegativeRates(input, lo, hi)),
  },
  // The same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: ({ predictions: x, targets: y, params: { log_input, eps, full } }, lo, hi, out) =>
    elementwiseSimd('poisson_nll', x, y, lo, hi, out, [log_input ? 1 : 0, eps, full ? 1 : 0]),
  scalarKernel: scalar,
  demo: {
    plot: {
      axis: 'prediction',
      label: 'log-rate x (target count y = 2)',
      range: [-2, 3],
      at: (x) => ({ predictions: [x], targets: [2], dPredictions: [1] }),
    },
    sample: (r) => elementwise(() => r.uniform(0.2, 3), () => r.int(6), { log_input: false, eps: 1e-3 }),
    example: { predictions: [0.5, 1.2, -0.3, 2.0], targets: [2, 3, 0, 7], params: { log_input: true } },
  },
  check: {
    related: [{ loss: 'keras.poisson' }],
    hypotheses: ['log_base'],
  },
});
