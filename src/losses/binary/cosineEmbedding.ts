import { z } from 'zod';
import { defineLoss } from '../types.ts';
import { targetsPlusMinusOne } from '../checks.ts';
import { tensor, times, N, C } from '../samples.ts';

// Rows x1, x2 of N pairs of embeddings, y = 1 (similar) or −1 (dissimilar). As PyTorch:
//   a = |x1|² + ε, b = |x2|² + ε, cos = x1·x2 / (√a·√b), with ε PyTorch's 1e-12 stored as a C
//   float, 9.999999960041972e-13 (it moves cos for norms near 1e-6: golden README, 19)
//   ℓ = 1 − cos if y = 1;  max(0, cos − margin) if y = −1.
// √a·√b rather than PyTorch's √(a·b): the same value within an ulp, and no overflow for norms up
// to 1e154 (a·b would pass 1.8e308 from norms of 1e77).
//   dcos/dx1 = x2/(√a√b) − cos·x1/a,  dcos/dx2 = x1/(√a√b) − cos·x2/b;
//   dℓ/dcos = −1 for y = 1; 1 for y = −1 where cos − margin ≥ 0 (clamp_min passes at 0), else 0.
const EPSILON = Math.fround(1e-12);

export const cosineEmbedding = defineLoss({
  name: 'cosine_embedding',
  aliases: [],
  family: 'binary',
  libraryNames: { torch: { functional: 'cosine_embedding_loss', module: 'CosineEmbeddingLoss' } },
  docs: {
    summary: 'Cosine embedding loss: similar pairs align their embeddings, dissimilar ones keep their cosine below the margin.',
    formula: 'ℓ = 1 − cos(x1, x2) if y = 1, max(0, cos(x1, x2) − margin) if y = −1',
    reductionRule: 'mean divides Σℓ by N, the number of pairs.',
    reference: 'torch.nn.functional.cosine_embedding_loss',
    predictions: 'input1: embeddings [N, D] (or unbatched [D])',
    targets: '1 (similar) or −1 (dissimilar) per pair: [N] (or a bare number unbatched)',
  },
  tensors: {
    inputs: [
      { name: 'input1', differentiable: true, description: 'embeddings [N, D] (or unbatched [D])' },
      { name: 'input2', differentiable: true, description: 'the embeddings they are compared with, the shape of input1' },
      { name: 'targets', differentiable: false, description: '1 (similar) or −1 (dissimilar) per pair: [N], or a bare number unbatched' },
    ],
    targetInput: 'targets',
    layout: 'rows',
    targetLayout: 'indices',
    shapes: { unbatched: true },
  },
  params: z.strictObject({
    margin: z.number().min(-1, { error: 'margin must be in [-1, 1]' }).max(1, { error: 'margin must be in [-1, 1]' }).default(0).meta({ description: 'The cosine a dissimilar pair may reach without loss; in [−1, 1].' }),
  }),
  checks: {
    checkData: targetsPlusMinusOne,
  },
  kernel({ predictions: x1, targets: y, extra, cols: D, params: { margin } }, lo, hi, { perSample, gradient, gradScale, gradients }) {
    const x2 = extra.input2;
    const g2 = gradients.input2 ?? null;
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      const off = r * D;
      let dot = 0;
      let a = EPSILON;
      let b = EPSILON;
      for (let k = 0; k < D; k++) {
        dot += x1[off + k] * x2[off + k];
        a += x1[off + k] * x1[off + k];
        b += x2[off + k] * x2[off + k];
      }
      const s = Math.sqrt(a) * Math.sqrt(b);
      const cos = dot / s;
      const similar = +(y[r] === 1);
      const pushed = (1 - similar) * +(cos - margin >= 0);
      const v = similar * (1 - cos) + pushed * (cos - margin) + 0;
      sum += v;
      if (perSample !== null) perSample[r] = v;
      const dcos = (pushed - similar) * gradScale;
      for (let k = 0; k < D; k++) {
        if (gradient !== null) gradient[off + k] = dcos * (x2[off + k] / s - (cos * x1[off + k]) / a) + 0;
        if (g2 !== null) g2[off + k] = dcos * (x1[off + k] / s - (cos * x2[off + k]) / b) + 0;
      }
    }
    return sum;
  },
  demo: {
    plot: {
      axis: 'margin',
      label: 'cosine c of two unit vectors (a similar pair, y = 1)',
      range: [-0.95, 0.95],
      // input1 = (c, √(1 − c²)) against input2 = (1, 0): their cosine is c.
      at: (c) => {
        const sine = Math.sqrt(1 - c * c);
        return { predictions: [[c, sine]], targets: [1], dPredictions: [1, -c / sine], extra: { input2: [[1, 0]] } };
      },
    },
    // Cosines kept 0.1 or more from the margin 0.2 for the dissimilar pairs.
    sample: (r) => {
      const input1 = times(N * C, () => r.normal());
      const input2 = times(N * C, () => r.normal());
      const targets = times(N, (i) => {
        let dot = 0;
        let a = 0;
        let b = 0;
        for (let k = 0; k < C; k++) {
          dot += input1[i * C + k] * input2[i * C + k];
          a += input1[i * C + k] ** 2;
          b += input2[i * C + k] ** 2;
        }
        return Math.abs(dot / Math.sqrt(a * b) - 0.2) < 0.1 ? 1 : r.sign();
      });
      return { inputs: { input1: tensor(input1, [N, C]), input2: tensor(input2, [N, C]), targets: tensor(targets, [N]) }, params: { margin: 0.2 } };
    },
    example: { inputs: { input1: [[1.0, 0.2, -0.5], [0.3, 0.8, 0.1]], input2: [[0.9, 0.1, -0.4], [-0.2, 0.5, 0.9]], targets: [1, -1] }, params: { margin: 0.2 } },
  },
});
