import { z } from 'zod';
import { twoClassMargin } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { classIndices, perClassLength } from '../checks.ts';
import { weightVector } from '../params.ts';
import { rows, classWeights, tensor, C } from '../samples.ts';

// Row r with target y: z_j = margin - x_y + x_j for each j ≠ y.
//   ℓ = Σ_{j≠y} w_y·max(0, z_j)^p / C
//   dℓ/dx_j = w_y·p·z_j^{p-1}/C where z_j > 0 (0 at the kink, as PyTorch), and dℓ/dx_y = -Σ_j dℓ/dx_j.
export const multiMargin = defineLoss({
  name: 'multi_margin',
  aliases: ['multiclass_hinge'],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'multi_margin_loss', module: 'MultiMarginLoss' } },
  docs: {
    summary: 'Multi-class margin (hinge) loss: every wrong class should score at least margin below the right one.',
    formula: 'ℓ = Σ_{j≠y} w_y·max(0, margin − x_y + x_j)^p / C',
    reductionRule: 'mean divides Σℓ by N (weights do not enter the denominator).',
    reference: 'torch.nn.functional.multi_margin_loss',
    predictions: 'scores [N, C] (or unbatched [C], or a number: one class)',
    targets: 'class indices [N]: integers in [0, C) (a number or [1] when unbatched)',
  },
  tensors: {
    layout: 'rows',
    targetLayout: 'indices',
    shapes: { unbatched: true, indexOfOne: true, scalar: true },
  },
  params: z.strictObject({
    p: z.literal([1, 2], { error: 'p must be 1 or 2' }).default(1).meta({ description: 'Exponent of the hinge: 1 or 2.' }),
    margin: z.number().default(1.0).meta({ description: 'The margin.' }),
    weight: weightVector('Class weights [C], of any sign as in PyTorch; w_y scales the row of target y.'),
  }),
  checks: {
    checkParams: (input) => perClassLength('weight', input.params.weight, input.cols),
    checkData: (input, lo, hi) => classIndices(input, lo, hi),
  },
  kernel({ predictions: x, targets: t, cols: C, params: { p, margin, weight } }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      const off = r * C;
      const y = t[r];
      const wy = weight === undefined ? 1 : weight[y];
      const xy = x[off + y];
      let acc = 0;
      let gy = 0;
      for (let j = 0; j < C; j++) {
        if (j === y) continue;
        const z = margin - xy + x[off + j];
        let g = 0;
        if (z > 0) {
          acc += p === 1 ? z : z * z;
          g = ((p === 1 ? 1 : 2 * z) * wy * gradScale) / C;
        }
        if (gradient !== null) gradient[off + j] = g;
        gy -= g;
      }
      if (gradient !== null) gradient[off + y] = gy;
      const v = (wy * acc) / C;
      sum += v;
      if (perSample !== null) perSample[r] = v;
    }
    return sum;
  },
  demo: {
    plot: twoClassMargin('index'),
    // Scores on a grid of 0.3 with margin 1.05: no margin term is within 0.15 of its kink.
    // A quarter of the time one unbatched sample, its class index of shape [1].
    sample: (r) => {
      const s = rows(r, () => 0.3 * (r.int(11) - 5), { p: 2, margin: 1.05, weight: classWeights(r) });
      if (r.int(4) !== 0) return s;
      return { ...s, inputs: { predictions: tensor(s.inputs.predictions.data.slice(0, C), [C]), targets: tensor([r.int(C)], [1]) } };
    },
    example: { predictions: [[0.1, 0.2, 0.4, 0.8], [1.2, 0.3, -0.5, 0.1]], targets: [3, 0], params: { p: 1, margin: 1 } },
  },
});
