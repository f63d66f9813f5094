import { z } from 'zod';
import { defineLoss } from '../types.ts';
import { targetsPlusMinusOne } from '../checks.ts';
import { away, tensor, times, N, C } from '../samples.ts';

// Two scores x1, x2 and y = 1 when x1 should rank above x2 (−1: below):
//   ℓ = max(0, −y·(x1 − x2) + margin)
//   dℓ/dx1 = −y, dℓ/dx2 = y where −y·(x1 − x2) + margin ≥ 0, else 0 (PyTorch's clamp_min passes
//   the gradient at 0 itself).
export const marginRanking = defineLoss({
  name: 'margin_ranking',
  aliases: [],
  family: 'binary',
  libraryNames: { torch: { functional: 'margin_ranking_loss', module: 'MarginRankingLoss' } },
  docs: {
    summary: 'Margin ranking loss: the pair (x1, x2) should be ordered as y says, by at least the margin.',
    formula: 'ℓ = max(0, −y·(x1 − x2) + margin)',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torch.nn.functional.margin_ranking_loss',
    predictions: 'input1: scores, any rank ≥ 0',
    targets: '1 (input1 ranks first) or −1, the shape of input1',
  },
  tensors: {
    inputs: [
      { name: 'input1', differentiable: true, description: 'scores of the first items, any rank ≥ 0' },
      { name: 'input2', differentiable: true, description: 'scores of the second items, the shape of input1' },
      { name: 'targets', differentiable: false, description: '1 where input1 should rank above input2, −1 where below; the shape of input1' },
    ],
    targetInput: 'targets',
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: z.strictObject({
    margin: z.number().default(0).meta({ description: 'By how much the right order must hold.' }),
  }),
  checks: {
    checkData: targetsPlusMinusOne,
  },
  kernel({ predictions: x1, targets: y, extra, params: { margin } }, lo, hi, { perSample, gradient, gradScale, gradients }) {
    const x2 = extra.input2;
    const g2 = gradients.input2 ?? null;
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const z = -y[i] * (x1[i] - x2[i]) + margin;
      const on = +(z >= 0);
      const v = on * z + 0;
      sum += v;
      if (perSample !== null) perSample[i] = v;
      if (gradient !== null) gradient[i] = -y[i] * on * gradScale + 0;
      if (g2 !== null) g2[i] = y[i] * on * gradScale + 0;
    }
    return sum;
  },
  demo: {
    plot: {
      axis: 'margin',
      label: 'margin m = x1 − x2 (y = 1)',
      range: [-2, 2],
      at: (m) => ({ predictions: [m], targets: [1], dPredictions: [1], extra: { input2: [0] } }),
    },
    // Score differences kept 0.1 or more from the margin 0.3, where the hinge bends.
    sample: (r) => {
      const input1 = times(N * C, () => r.normal());
      const targets = times(N * C, () => r.sign());
      const input2 = input1.map((x, i) => x + targets[i] * (-0.3 + away(r, 0.1, 1.5))); // margin − y·(x1 − x2) = away(...)
      return { inputs: { input1: tensor(input1, [N, C]), input2: tensor(input2, [N, C]), targets: tensor(targets, [N, C]) }, params: { margin: 0.3 } };
    },
    example: { inputs: { input1: [0.8, -0.2, 1.5], input2: [0.1, 0.4, 1.9], targets: [1, -1, 1] }, params: { margin: 0.5 } },
  },
});
