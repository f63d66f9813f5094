import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { defineLoss, type KernelInput } from '../types.ts';
import { classIndices, perClassLength } from '../checks.ts';
import { weightVector } from '../params.ts';
import { rows, classWeights } from '../samples.ts';

type Params = { weight?: number[]; ignore_index: number };

// Predictions are log-probabilities (e.g. a log_softmax output). ℓ = -w_y·x_y;
// dℓ/dx_c = -w_y where c = y, 0 elsewhere. Ignored rows: ℓ = 0, zero gradient.
export const nll = defineLoss<Params>({
  name: 'nll',
  aliases: ['negative_log_likelihood'],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'nll_loss', module: 'NLLLoss' } },
  docs: {
    summary: 'Negative log-likelihood of the target class, on log-probabilities.',
    formula: 'ℓ = −w_y·x_y',
    reductionRule: 'mean divides Σℓ by Σ w_{y_i} over the samples that are not ignored (by their count without weight).',
    reference: 'torch.nn.functional.nll_loss',
    predictions: 'log-probabilities [N, C] (not checked: any real numbers are accepted, as in PyTorch)',
    targets: 'class indices [N]: integers in [0, C), or ignore_index',
  },
  tensors: {
    layout: 'rows',
    targetLayout: 'indices',
    shapes: { unbatched: true, spatial: true },
  },
  params: z.strictObject({
    weight: weightVector('Class weights [C], of any sign as in PyTorch.'),
    ignore_index: z.number().int().default(-100).meta({ description: 'A target equal to this is ignored.' }),
  }),
  checks: {
    checkParams: (input) => perClassLength('weight', input.params.weight, input.cols),
    checkData: (input, lo, hi) => classIndices(input, lo, hi, input.params.ignore_index),
    meanDenominator({ targets, params: { weight, ignore_index } }: KernelInput<Params>, lo, hi) {
      let d = 0;
      for (let r = lo; r < hi; r++) if (targets[r] !== ignore_index) d += weight === undefined ? 1 : weight[targets[r]];
      return d;
    },
  },
  kernel({ predictions: x, targets: t, cols: C, params: { weight, ignore_index } }, lo, hi, { perSample, gradient, gradScale, gradientChecked: checked }) {
    let sum = 0;
    // One fill for the block's rows (a fill per row of 10 cost more than the rest of the row).
    if (gradient !== null) gradient.fill(0, lo * C, hi * C);
    for (let r = lo; r < hi; r++) {
      const off = r * C;
      const y = t[r];
      let v = 0;
      if (y !== ignore_index) {
        const wy = weight === undefined ? 1 : weight[y];
        v = -wy * x[off + y];
        if (gradient !== null) {
          gradient[off + y] = -wy * gradScale;
          // The one value of the row that is not 0, checked as it is stored (KernelOutput.
          // gradientChecked; read back, so that a float32 gradient's overflow shows as ∞): the
          // phase then does not read the whole gradient again for it.
          if (checked !== undefined && checked.first < 0 && !Number.isFinite(gradient[off + y])) checked.first = off + y;
        }
      }
      sum += v;
      if (perSample !== null) perSample[r] = v;
    }
    if (gradient !== null && checked !== undefined) checked.count += (hi - lo) * C;
    return sum;
  },
  demo: {
    plot: probability('predicted probability p of the true class (two classes, log-probabilities sent)', (p) => ({
      predictions: [[Math.log(p), Math.log(1 - p)]],
      targets: [0],
      dPredictions: [1 / p, -1 / (1 - p)],
    })),
    sample: (r) => rows(r, () => -r.uniform(0.1, 4), { weight: classWeights(r) }),
    example: { predictions: [[-0.2, -2.0, -3.1], [-1.9, -0.3, -2.2]], targets: [0, 1] },
  },
  check: {
    related: [{ loss: 'cross_entropy' }],
    hypotheses: ['unweighted_denominator'],
  },
});
