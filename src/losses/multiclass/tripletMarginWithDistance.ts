import { z } from 'zod';
import { defineLoss, type PlotSlice, type TensorInput } from '../types.ts';
import { N, C, tensor, times, type Random, type Sample } from '../samples.ts';
import { cosineDistance, pairwiseDistance, tripletKernel } from '../distances.ts';

export const tripletInputs: readonly TensorInput[] = [
  { name: 'anchor', differentiable: true, description: 'anchor embeddings [N, D] (or unbatched [D])' },
  { name: 'positive', differentiable: true, description: 'embeddings of the same kind as their anchor, the shape of anchor' },
  { name: 'negative', differentiable: true, description: 'embeddings of another kind, the shape of anchor' },
];

/** The positive at distance 1 from the anchor, the negative at distance x (pairwise, 2-D). */
export const tripletPlot: PlotSlice = {
  axis: 'prediction',
  label: 'distance x of the negative (the positive at distance 1)',
  range: [0, 3],
  at: (x) => ({ predictions: [[0, 0]], targets: [], dPredictions: [0, 0], extra: { positive: [[1, 0]], negative: [[0, x]] }, dExtra: { negative: [0, 1] } }),
};

/** Anchors, positives about 0.3 away and negatives about 0.5 away: margin + d(a, p) − d(a, n) ≈ 0.8,
 *  every hinge open and far from its kink. */
export function tripletSample(r: Random): Sample {
  const anchor = times(N * C, () => r.normal());
  const near = (scale: number) => tensor(anchor.map((a) => a + scale * r.normal()), [N, C]);
  return { inputs: { anchor: tensor(anchor, [N, C]), positive: near(0.15), negative: near(0.25) }, params: {} };
}

// As triplet_margin with d chosen by name: "pairwise" is F.pairwise_distance(·, ·) (p = 2,
// eps = 1e-6), "cosine" is 1 − cosine similarity over the last axis.
export const tripletMarginWithDistance = defineLoss({
  name: 'triplet_margin_with_distance',
  aliases: [],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'triplet_margin_with_distance_loss', module: 'TripletMarginWithDistanceLoss' } },
  docs: {
    summary: 'Triplet margin loss with a chosen distance: pairwise (Euclidean) or cosine.',
    formula: 'ℓ = max(0, margin + d(a, p) − d(a, n)), d pairwise or 1 − cos',
    reductionRule: 'mean divides Σℓ by N, the number of triplets.',
    reference: 'torch.nn.functional.triplet_margin_with_distance_loss',
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
    distance: z.enum(['pairwise', 'cosine'], { error: "distance must be 'pairwise' or 'cosine'" }).default('pairwise').meta({ description: 'pairwise: ‖u − v + 1e-6‖₂; cosine: 1 − cos(u, v).' }),
    margin: z.number().gt(0, { error: 'margin must be > 0' }).default(1.0).meta({ description: 'How much closer the positive must be; > 0.' }),
    swap: z.boolean().default(false).meta({ description: 'true: the negative distance is the smaller of d(a, n) and d(p, n).' }),
  }),
  kernel: tripletKernel(({ distance }) => (distance === 'cosine' ? cosineDistance : pairwiseDistance(2, 1e-6)), ({ margin, swap }) => ({ margin, swap })),
  demo: {
    plot: tripletPlot,
    sample: tripletSample,
    example: { inputs: { anchor: [[0.1, 0.9], [0.5, -0.2]], positive: [[0.2, 0.8], [0.4, 0.1]], negative: [[0.9, 0.1], [0.6, -0.3]] }, params: { distance: 'cosine', margin: 0.5 } },
  },
});
