import { z } from 'zod';
import { margin } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { targetsInUnitInterval } from '../checks.ts';
import { broadcastWeight } from '../params.ts';
import { elementwise, classWeights } from '../samples.ts';
import { elementwiseSimd } from '../simd/simd.ts';

// With σ(x) = 1/(1 + e^-x), log σ(x) = -softplus(-x) and log(1 - σ(x)) = -softplus(x) = -x - softplus(-x).
// So -[p_w·y·log σ(x) + (1 - y)·log(1 - σ(x))] = p_w·y·softplus(-x) + (1 - y)(x + softplus(-x))
//                                             = (1 - y)·x + l·softplus(-x),   l = 1 + (p_w - 1)·y,
// and softplus(-x) = max(-x, 0) + log1p(e^-|x|) never overflows (never log(sigmoid(x))).
// d/dx = (1 - y) - l·σ(-x) = l·σ(x) - p_w·y (PyTorch's backward form).
// e = e^-|x| serves both: softplus(-x) = max(-x, 0) + log1p(e); σ(x) = 1/(1 + e) for x ≥ 0, e/(1 + e) else.
const params = z.strictObject({
  weight: broadcastWeight('Rescaling weight of any shape that broadcasts to the predictions (numpy rules: [C] for the last dimension, [N, 1], the full shape, …), nested arrays for rank > 1; any sign, as in PyTorch.'),
  pos_weight: broadcastWeight('Weight of the positive term, of any shape that broadcasts to the predictions ([C]: per class in multi-label use); any sign.'),
});
type Params = z.output<typeof params>;

/** The scalar kernel: every form, weights included. */
function scalar({ predictions: x, targets: y, params }: KernelInput<Params>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  // Broadcast by the validation (broadcastParams.ts): entry i % length is element i's.
  const weight = params.weight as unknown as Float64Array | undefined;
  const pos_weight = params.pos_weight as unknown as Float64Array | undefined;
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const xi = x[i];
    const t = y[i];
    const w = weight === undefined ? 1 : weight[i % weight.length];
    const pw = pos_weight === undefined ? 1 : pos_weight[i % pos_weight.length];
    const l = 1 + (pw - 1) * t;
    const e = Math.exp(-Math.abs(xi));
    // Branch-free selections (math.sign): [x < 0]·(-x) is max(-x, 0).
    const neg = +(xi < 0);
    const softplusNeg = neg * -xi + Math.log1p(e);
    const v = w * ((1 - t) * xi + l * softplusNeg);
    sum += v;
    if (perSample !== null) perSample[i] = v;
    if (gradient !== null) {
      const sig = (1 - neg + neg * e) / (1 + e);
      gradient[i] = w * (l * sig - pw * t) * gradScale;
    }
  }
  return sum;
}

export const bceWithLogits = defineLoss({
  name: 'bce_with_logits',
  aliases: ['sigmoid_cross_entropy'],
  family: 'binary',
  libraryNames: { torch: { functional: 'binary_cross_entropy_with_logits', module: 'BCEWithLogitsLoss' } },
  docs: {
    summary: 'Binary cross-entropy on logits, with sigmoid fused in: the stable BCE.',
    formula: 'ℓ = −w[p_w·y·log σ(x) + (1−y)·log(1−σ(x))]',
    reductionRule: 'mean divides Σℓ by the number of elements (weights do not enter the denominator).',
    reference: 'torch.nn.functional.binary_cross_entropy_with_logits',
    predictions: 'logits (real numbers), any rank ≥ 1',
    targets: 'values in [0, 1], same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
    broadcastParams: ['weight', 'pos_weight'],
  },
  params,
  checks: {
    checkData: targetsInUnitInterval,
  },
  // Without weights (the common case): the same formula in WebAssembly SIMD (simd/kernels.c).
  kernel(input, lo, hi, out) {
    const { predictions: x, targets: y, params } = input;
    if (params.weight === undefined && params.pos_weight === undefined) return elementwiseSimd('bce_with_logits', x, y, lo, hi, out);
    return scalar(input, lo, hi, out);
  },
  scalarKernel: (input, lo, hi, out) => scalar(input, lo, hi, out),
  demo: {
    plot: margin([-4, 4]),
    sample: (r) => elementwise(() => r.normal() * 3, () => r.uniform(), { weight: classWeights(r), pos_weight: classWeights(r, 0.5, 3) }),
    example: { predictions: [2.2, -1.0, 0.3, -3.5], targets: [1, 0, 1, 0], params: { pos_weight: [2, 1, 1, 1] } },
  },
  check: {
    related: [{ loss: 'keras.binary_crossentropy', params: { from_logits: true } }, { loss: 'binary_cross_entropy' }, { loss: 'keras.binary_crossentropy', params: { from_logits: false } }],
    hypotheses: ['probabilities_as_logits', 'log_base'],
  },
});
