import { z } from 'zod';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { targetsInUnitInterval } from '../checks.ts';
import { broadcastWeight } from '../params.ts';
import { elementwise, classWeights } from '../samples.ts';
import { rowMeansSimd, rowsFit } from '../simd/simd.ts';

// Each of the C labels is its own binary problem on logit x_c with target y_c ∈ [0, 1]:
//   ℓ = −(1/C)·Σ_c w_c·[y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)]
//     =  (1/C)·Σ_c w_c·[(1 − y_c)·x_c + softplus(−x_c)],
// since log σ(x) = −softplus(−x) and log σ(−x) = −x − softplus(−x); softplus(−x) =
// max(−x, 0) + log1p(e^−|x|) never overflows.  dℓ/dx_c = w_c·(σ(x_c) − y_c)/C.
const params = z.strictObject({
  weight: broadcastWeight('Label weights of any shape that broadcasts to the predictions (numpy rules: [C] per label, [N, C] per element, [N, 1] per sample, a number), nested arrays for rank > 1; any sign, as in PyTorch.'),
});
// After validation the weight is a Float64Array whose entry (r·C + c) % length is element (r, c)'s
// (broadcastParams.ts).
type Params = { weight?: Float64Array };

/** The scalar kernel: every form, label weights included. */
function scalar({ predictions: x, targets: y, cols: C, params: { weight } }: KernelInput<Params>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  let sum = 0;
  for (let r = lo; r < hi; r++) {
    const off = r * C;
    let acc = 0;
    for (let c = 0; c < C; c++) {
      const xi = x[off + c];
      const t = y[off + c];
      const w = weight === undefined ? 1 : weight[(off + c) % weight.length];
      const e = Math.exp(-Math.abs(xi));
      const neg = +(xi < 0);
      acc += w * ((1 - t) * xi + neg * -xi + Math.log1p(e));
      if (gradient !== null) {
        const sig = (1 - neg + neg * e) / (1 + e);
        gradient[off + c] = (w * (sig - t) * gradScale) / C;
      }
    }
    const v = acc / C;
    sum += v;
    if (perSample !== null) perSample[r] = v;
  }
  return sum;
}

export const multilabelSoftMargin = defineLoss({
  name: 'multilabel_soft_margin',
  aliases: [],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'multilabel_soft_margin_loss', module: 'MultiLabelSoftMarginLoss' } },
  docs: {
    summary: 'Multi-label one-versus-all loss: a sigmoid binary cross-entropy per label, averaged over the labels.',
    formula: 'ℓ = −(1/C)·Σ_c w_c·[y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)]',
    reductionRule: 'mean divides Σℓ by N (the labels are averaged within each sample; weights do not enter the denominator).',
    reference: 'torch.nn.functional.multilabel_soft_margin_loss',
    predictions: 'logits [N, C] (or unbatched [C])',
    targets: 'label targets in [0, 1], same shape as predictions',
  },
  tensors: {
    layout: 'rows',
    targetLayout: 'same',
    shapes: { unbatched: true },
    broadcastParams: ['weight'],
  },
  params: params as unknown as z.ZodType<Params>,
  checks: {
    checkData: targetsInUnitInterval,
  },
  // Without label weights: the same sum in WebAssembly SIMD, each label's term being
  // bce_with_logits's (1 − y)·x + softplus(−x) = max(x, 0) − x·y + log1p(e^−|x|) (simd/kernels.c).
  kernel(input, lo, hi, out) {
    if (input.params.weight === undefined && rowsFit(input.cols)) {
      return rowMeansSimd('bce_with_logits', input.predictions, input.targets, input.cols, lo, hi, out);
    }
    return scalar(input, lo, hi, out);
  },
  scalarKernel: scalar,
  demo: {
    plot: {
      axis: 'margin',
      label: 'logit x of a present label (one label, y = 1)',
      range: [-4, 4],
      at: (x) => ({ predictions: [[x]], targets: [[1]], dPredictions: [1] }),
    },
    sample: (r) => elementwise(() => r.normal() * 3, () => r.uniform(), { weight: classWeights(r, -1, 2) }),
    example: { predictions: [[1.2, -0.5, 0.3], [-2.0, 0.8, 1.5]], targets: [[1, 0, 1], [0, 0, 1]], params: { weight: [1, 2, 1] } },
  },
});
