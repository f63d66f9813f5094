import { z } from 'zod';
import { defineLoss } from '../types.ts';
import { targetsPlusMinusOne } from '../checks.ts';
import { elementwise, away } from '../samples.ts';

// x is a distance (or dissimilarity) between two embeddings, y = 1 for a similar pair, −1 for a
// dissimilar one:  ℓ = x if y = 1;  max(0, margin − x) if y = −1.
// d/dx = 1 for y = 1; −1 where margin − x ≥ 0 for y = −1, else 0 (PyTorch's clamp_min passes the
// gradient at margin − x = 0 itself).
export const hingeEmbedding = defineLoss({
  name: 'hinge_embedding',
  aliases: [],
  family: 'binary',
  libraryNames: { torch: { functional: 'hinge_embedding_loss', module: 'HingeEmbeddingLoss' } },
  docs: {
    summary: 'Hinge embedding loss: similar pairs pull their distance down, dissimilar ones push it past the margin.',
    formula: 'ℓ = x if y = 1, max(0, margin − x) if y = −1',
    reductionRule: 'mean divides Σℓ by the number of elements.',
    reference: 'torch.nn.functional.hinge_embedding_loss',
    predictions: 'distances x (real numbers), any rank ≥ 0',
    targets: '1 (similar) or −1 (dissimilar), same shape as predictions',
  },
  tensors: {
    layout: 'elementwise',
    targetLayout: 'same',
  },
  params: z.strictObject({
    margin: z.number().default(1.0).meta({ description: 'How far a dissimilar pair is pushed: the loss of y = −1 is zero from x = margin on.' }),
  }),
  checks: {
    checkData: targetsPlusMinusOne,
  },
  kernel({ predictions: x, targets: y, params: { margin } }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const similar = +(y[i] === 1);
      const z = margin - x[i];
      const pushed = (1 - similar) * +(z >= 0);
      const v = similar * x[i] + pushed * z + 0;
      sum += v;
      if (perSample !== null) perSample[i] = v;
      if (gradient !== null) gradient[i] = (similar - pushed) * gradScale + 0;
    }
    return sum;
  },
  demo: {
    plot: {
      axis: 'prediction',
      label: 'distance x of a dissimilar pair (y = −1, margin 1)',
      range: [-0.5, 2],
      at: (x) => ({ predictions: [x], targets: [-1], dPredictions: [1] }),
    },
    // Distances kept 0.1 or more from the margin 0.8, where the dissimilar pairs' hinge bends.
    sample: (r) => elementwise(() => 0.8 + away(r, 0.1, 1.5), () => r.sign(), { margin: 0.8 }),
    example: { predictions: [0.3, 1.4, 0.2, 2.5], targets: [1, -1, -1, 1], params: { margin: 1 } },
  },
});
