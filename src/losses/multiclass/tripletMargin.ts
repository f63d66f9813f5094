import { z } from 'zod';
import { defineLoss } from '../types.ts';
import { pairwiseDistance, tripletKernel } from '../distances.ts';
import { tripletInputs, tripletPlot, tripletSample } from './tripletMarginWithDistance.ts';

// ℓ = max(0, margin + d(a, p) − d(a, n)) with d = F.pairwise_distance(·, ·, p, eps) = ‖u − v + eps‖_p;
// swap uses min(d(a, n), d(p, n)) for the negative (distances.ts derives the gradients).
export const tripletMargin = defineLoss({
  name: 'triplet_margin',
  aliases: [],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'triplet_margin_loss', module: 'TripletMarginLoss' } },
  docs: {
    summary: 'Triplet margin loss: an anchor should be closer to its positive than to its negative, by the margin.',
    formula: 'ℓ = max(0, margin + ‖a − p + eps‖_p − ‖a − n + eps‖_p)',
    reductionRule: 'mean divides Σℓ by N, the number of triplets.',
    reference: 'torch.nn.functional.triplet_margin_loss',
    predictions: 'anchor embeddings [N, D] (or unbatched [D])',
    targets: 'none: the three inputs anchor, positive, negative',
  },
  tensors: {
    inputs: tripletInputs,
    targetInput: null,
    layout: 'rows',
    targetLayout: 'none',
    shapes: { unbatched: true },
  },
  params: z.strictObject({
    margin: z.number().gt(0, { error: 'margin must be > 0' }).default(1.0).meta({ description: 'How much closer the positive must be; > 0.' }),
    p: z.number().gt(0, { error: 'p must be > 0' }).default(2.0).meta({ description: 'The norm degree of the distance; > 0.' }),
    eps: z.number().default(1e-6).meta({ description: 'Added to every component of a difference before its norm.' }),
    swap: z.boolean().default(false).meta({ description: 'true: the negative distance is the smaller of d(a, n) and d(p, n).' }),
  }),
  kernel: tripletKernel(({ p, eps }) => pairwiseDistance(p, eps), ({ margin, swap }) => ({ margin, swap })),
  demo: {
    plot: tripletPlot,
    sample: tripletSample,
    example: { inputs: { anchor: [[0.1, 0.9], [0.5, -0.2]], positive: [[0.2, 0.8], [0.4, 0.1]], negative: [[0.9, 0.1], [0.6, -0.3]] }, params: { margin: 1 } },
  },
});
