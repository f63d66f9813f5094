import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { N, tensor, times } from '../samples.ts';
import { classificationMetric, scoreWeights, weightedMean } from './classificationMetric.ts';
import { isProblem, problem } from './sklearnFunction.ts';
import { column, labelValue, readLabels, showLabels, typeOfTarget, uniqueLabels, type LabelValue } from './labels.ts';
import type { FloatArray, InputProblem } from '../types.ts';

const params = z.strictObject({
  pos_label: z
    .union([z.string(), z.number(), z.boolean()])
    .nullable()
    .default(null)
    .meta({ description: 'The positive class (a number, boolean or string). null: 1 where y_true is {0, 1}, {−1, 1} or one of them; else the greater of two numeric labels; string labels need it.' }),
});
type Params = z.infer<typeof params>;


/** _check_pos_label_consistency, with brier_score_loss's fallback to the greater numeric class. */
function positive(classes: readonly LabelValue[], kind: 'number' | 'string', given: LabelValue | null): LabelValue | InputProblem {
  if (given !== null) return given;
  if (kind === 'string') {
    return problem('invalid_params', 'params.pos_label', `targets take the values ${showLabels(classes)} and params.pos_label is not given: name the positive class (scikit-learn: "pos_label is not specified")`);
  }
  const conventional = [[0, 1], [-1, 1], [0], [-1], [1]].some((c) => c.length === classes.length && c.every((v, i) => v === classes[i]));
  return conventional ? 1 : classes[classes.length - 1];
}

// ℓ = (y − p)² with y = 1 for the positive class, else 0; dℓ/dp = 2(p − y), times w / Σ w.
export const sklearnBrierScoreLoss = classificationMetric<Params>({
  function: 'brier_score_loss',
  summary: "scikit-learn's Brier score: the (weighted) mean squared difference between the positive class's predicted probability and the outcome.",
  formula: 'ℓ_i = (1[y_i = pos_label] − p_i)²; value = Σ w·ℓ / Σ w',
  params,
  reductionRule: "scikit-learn's: the (weighted) mean of the per-sample squared differences (np.average).",
  predictionsName: 'y_prob',
  predictionsDescription: "scikit-learn's y_prob: the positive class's probabilities in [0, 1], [N] or [N, 1]",
  targetsDescription: "scikit-learn's y_true: binary labels [N] (numbers, booleans or strings)",
  arrange: (sent, { pos_label }) => {
    const p = sent.predictions!;
    if (!(p.shape.length === 1 || (p.shape.length === 2 && p.shape[1] === 1))) return problem('shape_mismatch', 'predictions', `predictions has shape [${p.shape.join(', ')}]; brier_score_loss takes [N] or [N, 1] (scikit-learn: "y should be a 1d array")`);
    const read = readLabels(sent.targets!, 'targets');
    if (isProblem(read)) return read;
    const y = column(read, 'targets');
    if (isProblem(y)) return y;
    const type = typeOfTarget(y);
    if (type !== 'binary') return problem('invalid_tensor', 'targets', `brier_score_loss takes binary targets; these are ${type} (scikit-learn: "Only binary classification is supported. The type of the target is ${type}.")`);
    for (let i = 0; i < p.data.length; i++) {
      if (p.data[i] > 1) return problem('prediction_out_of_domain', 'predictions', `predictions[${i}] = ${p.data[i]} is greater than 1 (scikit-learn: "y_prob contains values greater than 1.")`, i);
    }
    for (let i = 0; i < p.data.length; i++) {
      if (p.data[i] < 0) return problem('prediction_out_of_domain', 'predictions', `predictions[${i}] = ${p.data[i]} is less than 0 (scikit-learn: "y_prob contains values less than 0.")`, i);
    }
    const pos = positive(uniqueLabels(y.values), y.kind, pos_label === null ? null : labelValue(pos_label));
    if (isProblem(pos)) return pos;
    return { shape: [y.shape[0], 1], predictions: p.data as FloatArray, targets: Float64Array.from(y.values, (v) => (v === pos ? 1 : 0)), targetsAreIndices: false };
  },
  compute: ({ predictions: p, targets: y, rows: n }, w, terms, gradient) => {
    for (let i = 0; i < n; i++) terms[i] = (y[i] - p[i]) ** 2;
    const value = weightedMean(terms, w);
    if (gradient !== null && !isProblem(value)) {
      const share = scoreWeights(n, w, true);
      for (let i = 0; i < n; i++) gradient[i] = 2 * (p[i] - y[i]) * share[i];
    }
    return value;
  },
  demo: {
    plot: probability('predicted probability p of the positive class (y = 1)', (x) => ({ predictions: [x], targets: [1], dPredictions: [1] })),
    sample: (r) => {
      const inputs: Record<string, { data: number[]; shape: number[] }> = {
        predictions: tensor(times(N, () => r.uniform(0.05, 0.95)), [N]),
        targets: tensor(times(N, (i) => i % 2), [N]),
      };
      if (r.uniform() < 0.5) inputs.sample_weight = tensor(times(N, () => r.uniform(0.2, 2)), [N]);
      return { inputs, params: {} };
    },
    example: { targets: ['spam', 'ham', 'ham', 'spam'], predictions: [0.9, 0.1, 0.3, 0.6], params: { pos_label: 'spam' } },
  },
  check: { related: [{ loss: 'mse' }] },
});
