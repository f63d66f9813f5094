import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { elementwiseSimd } from '../simd/simd.ts';
import { predictionsInUnitInterval, targetsInUnitInterval } from '../checks.ts';

import { broadcastWeight } from '../params.ts';
import { elementwise, classWeights } from '../samples.ts';

// PyTorch's ε in the backward, 1e-12 stored as a C float: 9.999999960041972e-13.
const EPSILON = Math.fround(1e-12);

// value = -w [y·max(log p, -100) + (1 - y)·max(log(1 - p), -100)]: each log is clamped at -100 so
// p = 0 or 1 gives a finite loss (log1p(-p) keeps log(1 - p) exact for small p).
// The gradient is PyTorch's backward, not the derivative of the clamped formula:
// d/dp = w (p - y) / max(p (1 - p), ε), finite at p = 0 and p = 1.
/** The scalar kernel: every form, weights included; the SIMD one's reference. */
function scalar({ predictions: x, targets: y, params }: KernelInput<{ weight?: unknown }>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  // Broadcast by the validation (broadcastParams.ts): entry i % length is element i's.
  const weight = params.weight as unknown as Float64Array | undefined;
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const p = x[i];
    const t = y[i];
    const w = weight === undefined ? 1 : weight[i % weight.length];
    const logP = Math.max(Math.log(p), -100);
    const log1mP = Math.max(Math.log1p(-p), -100);
    const v = -w * (t * logP + (1 - t) * log1mP);
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) gradient[i] = ((w * (p - t)) / Math.max(p * (1 - p), EPSILON)) * gradScale;
  }
  return sum;
}

export const binaryCrossEntropy = defineLoss({
  name: 'binary_cross_entropy',
  aliases: ['bce'],
  family: 'binary',
  libraryNames: { torch: { functional: 'binary_cross_entropy', module: 'BCELoss' } },
  docs: {
    summary: 'Binary cross-entropy on probabilities. Prefer bce_with_logits: it is stable for any logit.',
    formula: 'ℓ = −w[y·log p + (1−y)·log(1−p)], each log clamped ≥ −100',
    reductionRule: 'mean divides Σℓ by the number of elements (weights do not enter the denominator).',
    reference: 'torch.nn.functional.binary_cross_entropy',
    predictions: 'probabilities in [0, 1], any rank ≥ 1',
    targets: 'values in [0, 1], same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
    broadcastParams: ['weight'],
  },
  params: z.strictObject({
    weight: broadcastWeight('Rescaling weight of any shape that broadcasts to the predictions (numpy rules: [C] for the last dimension, [N, 1], the full shape, …), nested arrays for rank > 1; any sign, as in PyTorch.'),
  }),
  checks: {
    checkData: (input, lo, hi) => predictionsInUnitInterval(input, lo, hi) ?? targetsInUnitInterval(input, lo, hi),
  },
  // Without weights (the common case): the same formula in WebAssembly SIMD (simd/kernels.c).
  kernel: (input, lo, hi, out) =>
    input.params.weight === undefined ? elementwiseSimd('binary_cross_entropy', input.predictions, input.targets, lo, hi, out) : scalar(input, lo, hi, out),
  scalarKernel: scalar,
  demo: {
    plot: probability('predicted probability p (target 1)', (p) => ({ predictions: [p], targets: [1], dPredictions: [1] })),
    sample: (r) => elementwise(() => r.uniform(0.05, 0.95), () => r.uniform(), { weight: classWeights(r) }),
    example: { predictions: [0.9, 0.2, 0.6, 0.05], targets: [1, 0, 1, 0] },
  },
  check: {
    related: [{ loss: 'keras.binary_crossentropy', params: { from_logits: false } }, { loss: 'bce_with_logits' }, { loss: 'keras.binary_crossentropy', params: { from_logits: true } }],
    hypotheses: ['clip', 'eps_in_log', 'no_clamp', 'probabilities_as_logits', 'log_base'],
  },
});
