import { z } from 'zod';
import { predictedLabel } from '../plotSlices.ts';
import { N, tensor, times } from '../samples.ts';
import { classificationMetric, weightedMean, LABEL_PAIRS } from './classificationMetric.ts';
import { dot } from './numpy.ts';
import { sum } from './numpy.ts';


// One label per sample: the (weighted) fraction of wrong labels, np.average(y ≠ ŷ, weights=w).
// Multilabel [N, L]: Σ_i w_i·d_i / (N·L·mean(w)), d_i the row's wrong labels (N·L unweighted);
// per sample d_i / L. Piecewise constant in the predictions (labels): no gradient.
export const sklearnHammingLoss = classificationMetric<Record<string, never>>({
  function: 'hamming_loss',
  summary: "scikit-learn's Hamming loss: the fraction of wrong labels (over every label of every sample for multilabel indicators).",
  formula: 'ℓ_i = (1/L)·Σ_l 1[ŷ_il ≠ y_il]; value = Σ w·ℓ / Σ w (one label: L = 1); multilabel Σ w_i·d_i / (N·L·mean w)',
  params: z.strictObject({}),
  reductionRule: "scikit-learn's: the (weighted) mean over the samples of the fraction of their labels that are wrong.",
  ...LABEL_PAIRS,
  compute: ({ predictions: p, targets: y, rows: n, cols }, w, terms) => {
    const wrong = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < cols; c++) if (y[i * cols + c] !== p[i * cols + c]) wrong[i]++;
      terms[i] = wrong[i] / cols;
    }
    if (cols === 1) return weightedMean(wrong, w);
    const weightAverage = w === null ? 1 : sum(w) / n;
    return (w === null ? sum(wrong) : dot(wrong, w)) / (n * cols * weightAverage);
  },
  demo: {
    plot: predictedLabel,
    sample: (r) => {
      const labels = r.uniform() < 0.5 ? 1 : 3;
      const y = times(N * labels, () => (labels === 1 ? r.int(3) : r.int(2)));
      const shape = labels === 1 ? [N] : [N, labels];
      const p = y.map((v) => (r.uniform() < 0.3 ? (labels === 1 ? (v + 1) % 3 : 1 - v) : v));
      const inputs: Record<string, { data: number[]; shape: number[] }> = { predictions: tensor(p, shape), targets: tensor(y, shape) };
      if (r.uniform() < 0.5) inputs.sample_weight = tensor(times(N, () => r.uniform(0.2, 2)), [N]);
      return { inputs, params: {} };
    },
    example: { targets: [[0, 1, 1], [1, 0, 1]], predictions: [[0, 1, 0], [1, 1, 1]] },
  },
});
