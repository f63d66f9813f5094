import { z } from 'zod';
import { probability } from '../plotSlices.ts';
import { N, tensor, times } from '../samples.ts';
import { classificationMetric, scoreWeights, weightedSum } from './classificationMetric.ts';
import { isProblem, problem } from './sklearnFunction.ts';
import { classIndices, column, labelValue, readLabels, showLabels, typeOfTarget, uniqueLabels, type Labels, type LabelValue } from './labels.ts';
import type { FloatArray, InputProblem } from '../types.ts';

const label = z.union([z.string(), z.number(), z.boolean()]);
const params = z.strictObject({
  eps: z
    .union([z.literal('auto'), z.number().min(0).max(1)])
    .default('auto')
    .meta({ description: 'Probabilities are clipped to [eps, 1 − eps]; "auto": the machine epsilon of the predictions\' dtype (float64: 2.22e-16; float32 on v2 FP32: 1.19e-7).' }),
  normalize: z.boolean().default(true).meta({ description: 'true: the (weighted) mean over the samples; false: their (weighted) sum.' }),
  labels: z.array(label).min(1).nullable().default(null).meta({ description: "The classes, when y_true does not hold them all (numbers, booleans or strings); null: y_true's." }),
});
type Params = z.infer<typeof params>;


/** LabelBinarizer().fit(labels or y_true).transform(y_true), with the binary column appended as
 *  log_loss appends it: each sample's indicator row over the K classes. */
function binarized(y: Labels, given: readonly LabelValue[] | null): { k: number; rows: Float64Array; classes: LabelValue[] } | InputProblem {
  const fitField = given === null ? 'targets' : 'params.labels';
  const fitOn: Labels = given === null ? y : { kind: given.some((v) => typeof v === 'string') ? 'string' : 'number', values: [...given], shape: [given.length] };
  if (given !== null && fitOn.kind === 'string' && given.some((v) => typeof v !== 'string')) return problem('invalid_params', 'params.labels', 'params.labels mixes strings with numbers (scikit-learn: TypeError)');
  const fitType = typeOfTarget(fitOn);
  if (fitType.endsWith('multioutput')) return problem('invalid_tensor', fitField, `${fitField}: multioutput target data is not supported with label binarization (scikit-learn's ValueError)`);
  if (fitType === 'continuous' || fitType === 'unknown') return problem('invalid_tensor', fitField, `${fitField} holds ${fitType} values, not class labels (scikit-learn: "Unknown label type")`);
  const n = y.shape[0];
  const multilabel = fitType === 'multilabel-indicator';
  const classes = multilabel ? times(fitOn.shape[1], (c) => c) : uniqueLabels(fitOn.values);
  if (classes.length === 1) {
    return given === null
      ? problem('invalid_tensor', 'targets', `targets (y_true) hold only one label (${showLabels(classes)}); give the classes in params.labels (scikit-learn's ValueError)`)
      : problem('invalid_params', 'params.labels', `params.labels must hold at least two classes for log_loss, got ${showLabels(classes)} (scikit-learn's ValueError)`);
  }
  const yType = typeOfTarget(y);
  if (yType === 'multilabel-indicator' && !multilabel) return problem('shape_mismatch', 'targets', 'targets is a multilabel indicator, but the classes were given as labels (scikit-learn: "The object was not fitted with multilabel input")');
  if (yType.endsWith('multioutput')) return problem('invalid_tensor', 'targets', 'targets: multioutput target data is not supported with label binarization (scikit-learn\'s ValueError)');
  if (yType === 'continuous' || yType === 'unknown') return problem('invalid_tensor', 'targets', `targets holds ${yType} values, not class labels (scikit-learn: "${yType} target data is not supported with label binarization")`);
  const k = classes.length;
  if (yType === 'multilabel-indicator') {
    if (y.shape[1] !== k) return problem('shape_mismatch', 'targets', `targets has ${y.shape[1]} columns for ${k} classes (scikit-learn: "classes mismatch with the labels found in the data")`);
    return { k, rows: Float64Array.from(y.values as number[]), classes };
  }
  const col = column(y, 'targets');
  if (isProblem(col)) return col;
  if (multilabel) return problem('shape_mismatch', 'targets', 'targets: the classes are a multilabel indicator\'s columns but targets are labels');
  const at = classIndices(col.values, classes);
  const rows = new Float64Array(n * k);
  if (yType === 'binary' && k === 2) {
    // label_binarize's binary column (1 for the greater class, else 0), then [1 − b, b].
    for (let i = 0; i < n; i++) rows[i * 2 + (at[i] === 1 ? 1 : 0)] = 1;
  } else {
    // One-hot; a label that is not among the classes gets a row of zeros.
    for (let i = 0; i < n; i++) if (at[i] >= 0) rows[i * k + at[i]] = 1;
  }
  return { k, rows, classes };
}

// Clipped q = clip(p, eps, 1 − eps), renormalised r_c = q_c / s with s = Σ_c q_c (a 1-D p is the
// positive class's: the row is [1 − q, q]); ℓ = −Σ_c t_c·log r_c = −Σ_c t_c·log q_c + T·log s,
// T = Σ_c t_c. Hence dℓ/dq_c = −t_c/q_c + T/s; for the 1-D row, s = (1 − q) + q does not depend
// on q, and dℓ/dq = t₀/(1 − q) − t₁/q. Clipped elements (p outside [eps, 1 − eps]) get 0.
export const sklearnLogLoss = classificationMetric<Params>({
  function: 'log_loss',
  summary: "scikit-learn's log loss (logistic loss, cross-entropy) of predicted probabilities against class labels: clipped to [eps, 1 − eps], each row renormalised.",
  formula: 'ℓ_i = −Σ_c t_ic·log(q_ic / Σ_c q_ic), q = clip(p, eps, 1 − eps); value = Σ w·ℓ / Σ w (normalize) or Σ w·ℓ',
  params,
  reductionRule: "scikit-learn's _weighted_sum: with normalize the (weighted) mean of the per-sample losses, without it their (weighted) sum.",
  predictionsName: 'y_pred',
  predictionsDescription: "scikit-learn's y_pred: probabilities [N, C] (columns in the classes' sorted order), or [N] the positive class's",
  targetsDescription: "scikit-learn's y_true: class labels [N] (numbers, booleans or strings) or a label indicator [N, C]",
  arrange: (sent, { labels }) => {
    const p = sent.predictions!;
    if (p.shape.length === 0 || p.shape.length > 2) return problem('shape_mismatch', 'predictions', `predictions has shape [${p.shape.join(', ')}]; log_loss takes [N] or [N, C] (scikit-learn: check_array)`);
    const y = readLabels(sent.targets!, 'targets');
    if (isProblem(y)) return y;
    const b = binarized(y, labels === null ? null : labels.map(labelValue));
    if (isProblem(b)) return b;
    const columns = p.shape.length === 1 ? 1 : p.shape[1];
    if ((columns === 1 ? 2 : columns) !== b.k) {
      return labels === null
        ? problem('shape_mismatch', 'predictions', `targets hold ${b.k} classes ${showLabels(b.classes)} and predictions ${columns === 1 ? 2 : columns} columns; give the classes in params.labels (scikit-learn: "y_true and y_pred contain different number of classes")`)
        : problem('shape_mismatch', 'params.labels', `params.labels holds ${b.k} classes ${showLabels(b.classes)} and predictions ${columns === 1 ? 2 : columns} columns (scikit-learn: "The number of classes in labels is different from that in y_pred")`);
    }
    return { shape: [p.shape[0], columns], predictions: p.data as FloatArray, targets: b.rows, targetsAreIndices: false };
  },
  compute: ({ predictions: p, targets: t, rows: n, cols, params: { eps, normalize } }, w, terms, gradient) => {
    const e = eps === 'auto' ? (p instanceof Float32Array ? 2 ** -23 : 2 ** -52) : eps;
    const k = cols === 1 ? 2 : cols;
    const q = new Float64Array(k);
    const clip = (v: number) => Math.min(Math.max(v, e), 1 - e);
    const dq = gradient === null ? null : new Float64Array(k);
    for (let i = 0; i < n; i++) {
      if (cols === 1) {
        q[1] = clip(p[i]);
        q[0] = 1 - q[1];
      } else for (let c = 0; c < k; c++) q[c] = clip(p[i * k + c]);
      let s = 0;
      for (let c = 0; c < k; c++) s += q[c];
      let l = 0;
      let total = 0;
      for (let c = 0; c < k; c++) {
        const tc = t[i * k + c];
        if (tc !== 0) l += tc * Math.log(q[c] / s); // xlogy: 0·log r = 0
        total += tc;
      }
      terms[i] = -l;
      if (dq !== null) {
        if (cols === 1) dq[1] = t[i * 2] / (1 - q[1]) - t[i * 2 + 1] / q[1];
        else for (let c = 0; c < k; c++) dq[c] = -t[i * k + c] / q[c] + total / s;
      }
      if (dq !== null) {
        if (cols === 1) gradient![i] = p[i] >= e && p[i] <= 1 - e ? dq[1] : 0;
        else for (let c = 0; c < k; c++) gradient![i * k + c] = p[i * k + c] >= e && p[i * k + c] <= 1 - e ? dq[c] : 0;
      }
    }
    const value = weightedSum(terms, w, normalize);
    if (gradient !== null && !isProblem(value)) {
      const share = scoreWeights(n, w, normalize);
      for (let i = 0; i < n; i++) for (let c = 0; c < cols; c++) gradient[i * cols + c] *= share[i];
    }
    return value;
  },
  demo: {
    // Two samples, labels [1, 0], positive-class probabilities [p, 1 − p]: the mean is −log p, the
    // loss of p with target 1 (the binary cross-entropies' slice, so that they draw over it).
    plot: probability('predicted probability p (target 1)', (x) => ({ predictions: [x, 1 - x], targets: [1, 0], dPredictions: [1, -1] })),
    sample: (r) => {
      const c = r.uniform() < 0.5 ? 1 : 3;
      const rows = Array.from({ length: N }, () => {
        const raw = times(c, () => r.uniform(0.1, 1));
        const s = raw.reduce((a, b) => a + b, 0);
        return c === 1 ? raw.map((v) => Math.min(0.9, v)) : raw.map((v) => v / s);
      });
      const labelsOf = times(N, (i) => (c === 1 ? i % 2 : i % 3));
      const inputs: Record<string, { data: number[]; shape: number[] }> = {
        predictions: tensor(rows.flat(), c === 1 ? [N] : [N, c]),
        targets: tensor(labelsOf, [N]),
      };
      if (r.uniform() < 0.5) inputs.sample_weight = tensor(times(N, () => r.uniform(0.2, 2)), [N]);
      return { inputs, params: r.uniform() < 0.3 ? { normalize: false } : {} };
    },
    example: {
      targets: ['spam', 'ham', 'ham', 'spam'],
      predictions: [
        [0.1, 0.9],
        [0.9, 0.1],
        [0.8, 0.2],
        [0.35, 0.65],
      ],
    },
  },
  check: { related: [{ loss: 'binary_cross_entropy' }, { loss: 'keras.binary_crossentropy' }] },
});
