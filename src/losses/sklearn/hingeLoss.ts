import { z } from 'zod';
import { margin } from '../plotSlices.ts';
import { N, tensor, times } from '../samples.ts';
import { classificationMetric, scoreWeights, weightedMean } from './classificationMetric.ts';
import { isProblem, problem } from './sklearnFunction.ts';
import { classIndices, column, labelValue, readLabels, showLabels, uniqueLabels, type LabelValue } from './labels.ts';
import type { FloatArray } from '../types.ts';

const label = z.union([z.string(), z.number(), z.boolean()]);
const params = z.strictObject({
  labels: z.array(label).min(1).nullable().default(null).meta({ description: "The classes (multiclass: pred_decision's columns in their sorted order); null: y_true's." }),
});
type Params = z.infer<typeof params>;


/** LabelBinarizer(neg_label=−1).fit_transform(y_true)[:, 0]: ±1 for two classes (+1 the greater),
 *  −1 for one, and for more (only when `labels` names two or fewer) +1 where y is the first. */
function signs(values: readonly LabelValue[]): Float64Array {
  const classes = uniqueLabels(values);
  if (classes.length === 1) return new Float64Array(values.length).fill(-1);
  const positive = classes.length === 2 ? classes[1] : classes[0];
  return Float64Array.from(values, (v) => (v === positive ? 1 : -1));
}

// Binary: the margin is y·f with y = ±1; multiclass (Crammer–Singer): f_true − max_{j≠true} f_j.
// ℓ = max(0, 1 − margin). dℓ/df is −y (binary), or −1 at the true class and +1 at the other
// class with the largest decision (numpy's max: the first such) where 1 − margin > 0; 0 where
// the hinge is flat, and 0 at its kink (as PyTorch's multi_margin_loss).
export const sklearnHingeLoss = classificationMetric<Params>({
  function: 'hinge_loss',
  summary: "scikit-learn's average hinge loss of decision values: binary with labels as ±1, multiclass as Crammer and Singer's.",
  formula: 'ℓ_i = max(0, 1 − y_i·f_i) (binary, y = ±1), max(0, 1 − f_i,true + max_{j≠true} f_ij) (multiclass); value = Σ w·ℓ / Σ w',
  params,
  reductionRule: "scikit-learn's: the (weighted) mean of the per-sample hinge losses (np.average).",
  predictionsName: 'pred_decision',
  predictionsDescription: "scikit-learn's pred_decision: decision values [N] or [N, 1] (binary), [N, C] (multiclass, columns in the classes' sorted order)",
  targetsDescription: "scikit-learn's y_true: class labels [N] (numbers, booleans or strings)",
  arrange: (sent, { labels }) => {
    const p = sent.predictions!;
    if (p.shape.length === 0 || p.shape.length > 2) return problem('shape_mismatch', 'predictions', `predictions has shape [${p.shape.join(', ')}]; hinge_loss takes [N], [N, 1] or [N, C]`);
    const read = readLabels(sent.targets!, 'targets');
    if (isProblem(read)) return read;
    const y = column(read, 'targets');
    if (isProblem(y)) return y;
    const given = labels === null ? null : labels.map(labelValue);
    if (given !== null && given.some((v) => typeof v === 'string') !== (y.kind === 'string') && y.values.length > 0) {
      return problem('invalid_params', 'params.labels', 'params.labels and targets must both be strings or both numbers');
    }
    const classes = uniqueLabels(given ?? y.values);
    const n = y.shape[0];
    if (classes.length > 2) {
      if (p.shape.length === 1) return problem('shape_mismatch', 'predictions', `predictions has shape [${p.shape.join(', ')}]; with ${classes.length} classes it must be [N, C], that is [${n}, ${classes.length}] (scikit-learn: "The shape of pred_decision cannot be 1d array with a multiclass target")`);
      if (p.shape[1] !== classes.length) {
        return given === null
          ? problem('shape_mismatch', 'predictions', `predictions has ${p.shape[1]} columns and targets ${classes.length} classes ${showLabels(classes)}; give every class in params.labels (scikit-learn: "Please include all labels in y_true or pass labels as third argument")`)
          : problem('shape_mismatch', 'predictions', `predictions has ${p.shape[1]} columns for the ${classes.length} classes of params.labels; it must be [${n}, ${classes.length}] (scikit-learn: "The shape of pred_decision is not consistent with the number of classes")`);
      }
      const at = classIndices(y.values, classes);
      const unseen = at.indexOf(-1);
      if (unseen >= 0) return problem('target_out_of_domain', 'targets', `targets[${unseen}] = ${showLabels([y.values[unseen]]).slice(1, -1)} is not among params.labels ${showLabels(classes)} (scikit-learn: "y contains previously unseen labels")`, unseen);
      return { shape: [n, classes.length], predictions: p.data as FloatArray, targets: Float64Array.from(at), targetsAreIndices: true };
    }
    if (p.shape.length === 2 && p.shape[1] !== 1) return problem('shape_mismatch', 'predictions', `predictions has shape [${p.shape.join(', ')}]; with two classes it must be [N] or [N, 1] (scikit-learn: "y should be a 1d array")`);
    if (y.kind === 'number' && y.values.some((v) => !Number.isInteger(v as number))) return problem('invalid_tensor', 'targets', 'targets holds continuous values, not class labels (scikit-learn: "Unknown label type")');
    return { shape: [n, 1], predictions: p.data as FloatArray, targets: signs(y.values), targetsAreIndices: false };
  },
  compute: ({ predictions: f, targets: t, rows: n, cols, targetsAreIndices }, w, terms, gradient) => {
    const best = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let m: number;
      if (!targetsAreIndices) m = t[i] * f[i];
      else {
        const y = t[i];
        let j = y === 0 ? 1 : 0;
        for (let c = j + 1; c < cols; c++) if (c !== y && f[i * cols + c] > f[i * cols + j]) j = c;
        best[i] = j;
        m = f[i * cols + y] - f[i * cols + j];
      }
      terms[i] = Math.max(0, 1 - m);
    }
    const value = weightedMean(terms, w);
    if (gradient !== null && !isProblem(value)) {
      const share = scoreWeights(n, w, true);
      for (let i = 0; i < n; i++) {
        if (terms[i] <= 0) continue;
        if (!targetsAreIndices) gradient[i] = -t[i] * share[i];
        else {
          gradient[i * cols + t[i]] = -share[i];
          gradient[i * cols + best[i]] = share[i];
        }
      }
    }
    return value;
  },
  demo: {
    // Two samples, labels [1, −1], decisions [m, −m]: both margins are m.
    // (The mean of the two is the loss at margin m with target 1: the margin losses' slice.)
    plot: { ...margin(), at: (m) => ({ predictions: [m, -m], targets: [1, -1], dPredictions: [1, -1] }) },
    sample: (r) => {
      const c = r.uniform() < 0.5 ? 1 : 3;
      const f = times(N * c, () => r.normal() * 2);
      const y = times(N, (i) => (c === 1 ? (i % 2 === 0 ? -1 : 1) : i % 3));
      // Away from the kink (margin 1) and from ties between the other classes.
      for (let i = 0; i < N; i++) {
        if (c === 1) f[i] = y[i] * (1 + away(r));
        else for (let k = 0; k < c; k++) f[i * c + k] = k * 0.37 + r.uniform(-0.1, 0.1) + (k === y[i] ? away(r) : 0);
      }
      const inputs: Record<string, { data: number[]; shape: number[] }> = { predictions: tensor(f, c === 1 ? [N] : [N, c]), targets: tensor(y, [N]) };
      if (r.uniform() < 0.5) inputs.sample_weight = tensor(times(N, () => r.uniform(0.2, 2)), [N]);
      return { inputs, params: {} };
    },
    example: { targets: ['cat', 'dog', 'bird', 'dog'], predictions: [[0.2, 1.5, -0.3], [-0.5, 0.1, 1.2], [1.1, 0.4, 0.3], [0.0, 0.2, 0.9]] },
  },
  check: { related: [{ loss: 'hinge' }, { loss: 'multi_margin' }] },
});

const away = (r: { uniform(lo?: number, hi?: number): number; sign(): number }) => r.sign() * r.uniform(0.2, 1);
