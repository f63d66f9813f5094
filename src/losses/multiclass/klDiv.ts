import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { targetsInUnitInterval } from '../checks.ts';
import { distributionRows, tensor, N, C } from '../samples.ts';

// Predictions x are log-probabilities. Elementwise, as PyTorch's reduction='none':
//   targets as probabilities: ℓ = t·(log t - x), taken as 0 where t = 0 (xlogy); dℓ/dx = -t.
//   log_target (targets are log t): ℓ = e^t·(t - x);  dℓ/dx = -e^t.
// mean divides by the element count, batchmean by the first dimension (the true KL divergence
// per sample when the last dimension holds the distribution).
/** The scalar kernel, the SIMD one's reference. */
function scalar({ predictions: x, targets: y, params: { log_target } }: KernelInput<{ log_target: boolean }>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const t = y[i];
    let v: number;
    let g: number;
    if (log_target) {
      const e = Math.exp(t);
      v = e * (t - x[i]);
      g = -e;
    } else {
      v = t > 0 ? t * (Math.log(t) - x[i]) : 0;
      g = -t;
    }
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = g * gradScale;
  }
  return sum;
}

export const klDiv = defineLoss({
  name: 'kl_div',
  aliases: ['kl_divergence', 'kld'],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'kl_div', module: 'KLDivLoss' } },
  docs: {
    summary: 'Kullback–Leibler divergence KL(t ‖ exp(x)), elementwise, on log-probability predictions.',
    formula: 'ℓ = t·(log t − x), 0 where t = 0',
    reductionRule: 'mean divides Σℓ by the number of elements; batchmean by the size of the first dimension; sum adds.',
    reference: 'torch.nn.functional.kl_div',
    predictions: 'log-probabilities, any rank ≥ 1 (usually [N, C])',
    targets: 'probabilities in [0, 1] (or log-probabilities with log_target), same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  reductions: ['mean', 'sum', 'batchmean', 'none'],
  params: z.strictObject({
    log_target: z.boolean().default(false).meta({ description: 'true: targets are log-probabilities.' }),
  }),
  checks: {
    checkData: (input, lo, hi) => (input.params.log_target ? null : targetsInUnitInterval(input, lo, hi)),
    fixedDenominator: (input, reduction) => (reduction === 'batchmean' ? input.shape[0] : null),
  },
  // The same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: ({ predictions: x, targets: y, params: { log_target } }, lo, hi, out) => elementwiseSimd('kl_div', x, y, lo, hi, out, [log_target ? 1 : 0]),
  scalarKernel: scalar,
  demo: {
    // The axis of keras.kl_divergence's (the same label: /explore draws them over each other); the
    // input is sent as log-probabilities, as kl_div takes it.
    plot: probability('predicted probability p of the first of two classes (targets 0.7, 0.3)', (p) => ({
      predictions: [[Math.log(p), Math.log(1 - p)]],
      targets: [[0.7, 0.3]],
      dPredictions: [1 / p, -1 / (1 - p)],
    })),
    sample: (r) => ({ inputs: { predictions: tensor(distributionRows(r).map(Math.log), [N, C]), targets: tensor(distributionRows(r), [N, C]) }, params: {} }),
    example: { predictions: [[-0.36, -1.2, -2.3], [-1.6, -0.29, -2.3]], targets: [[0.7, 0.2, 0.1], [0.2, 0.7, 0.1]], params: { log_target: false } },
  },
  check: {
    related: [{ loss: 'keras.kl_divergence' }],
    hypotheses: ['log_base'],
  },
});
