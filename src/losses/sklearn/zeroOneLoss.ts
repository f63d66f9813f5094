import { z } from 'zod';
import { predictedLabel } from '../plotSlices.ts';
import { N, tensor, times } from '../samples.ts';
import { classificationMetric, LABEL_PAIRS } from './classificationMetric.ts';
import { dot, sum } from './numpy.ts';
import { weightsSumToZero } from './sklearnFunction.ts';

const params = z.strictObject({
  normalize: z.boolean().default(true).meta({ description: 'true: the fraction of misclassified samples; false: their number (weighted: the weight of the misclassified samples).' }),
});
type Params = z.infer<typeof params>;


/** Whether each sample is right: its label, or (multilabel) every label of its row. */
export function exactMatches(y: ArrayLike<number>, p: ArrayLike<number>, n: number, columns: number): Float64Array {
  const right = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let same = 1;
    for (let c = 0; c < columns; c++) if (y[i * columns + c] !== p[i * columns + c]) same = 0;
    right[i] = same;
  }
  return right;
}

// zero_one_loss is 1 − accuracy_score: with normalize, 1 − Σ w·s / Σ w; without, Σ w − Σ w·s
// (N − Σ s unweighted: an integer), where s_i = 1 when sample i is right. Piecewise constant in
// the predictions (which are labels): no gradient.
export const sklearnZeroOneLoss = classificationMetric<Params>({
  function: 'zero_one_loss',
  summary: "scikit-learn's zero-one loss: the fraction (or number) of samples whose predicted label is wrong; a multilabel row counts unless every label is right.",
  formula: 'ℓ_i = 1[ŷ_i ≠ y_i] (multilabel: the whole row); value = 1 − Σ w·(1 − ℓ) / Σ w (normalize) or Σ w − Σ w·(1 − ℓ)',
  params,
  reductionRule: "scikit-learn's: 1 − accuracy_score, the (weighted) fraction of wrong samples with normalize, else their (weighted) count.",
  ...LABEL_PAIRS,
  compute: ({ predictions, targets, rows: n, cols, params: { normalize } }, w, terms) => {
    const right = exactMatches(targets, predictions, n, cols);
    for (let i = 0; i < n; i++) terms[i] = 1 - right[i];
    if (normalize) {
      if (w === null) return 1 - sum(right) / n;
      const total = sum(w);
      if (total === 0) return weightsSumToZero();
      return 1 - dot(right, w) / total;
    }
    return w === null ? n - sum(right) : sum(w) - dot(right, w);
  },
  demo: {
    plot: predictedLabel,
    sample: (r) => {
      const y = times(N, () => r.int(3));
      const inputs: Record<string, { data: number[]; shape: number[] }> = { predictions: tensor(y.map((v) => (r.uniform() < 0.4 ? (v + 1) % 3 : v)), [N]), targets: tensor(y, [N]) };
      if (r.uniform() < 0.5) inputs.sample_weight = tensor(times(N, () => r.uniform(0.2, 2)), [N]);
      return { inputs, params: r.uniform() < 0.3 ? { normalize: false } : {} };
    },
    example: { targets: ['cat', 'dog', 'bird', 'dog'], predictions: ['cat', 'bird', 'bird', 'cat'] },
  },
});
