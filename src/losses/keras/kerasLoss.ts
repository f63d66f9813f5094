// What every `keras.*` loss shares: Keras 3's shape rules, sample_weight and reductions
// (keras/src/losses/loss.py), so that each loss module states only its per-row formula.
//
// Keras computes a loss in three steps, and so does this module:
//  1. LossFunctionWrapper.call: squeeze_or_expand_to_same_rank(y_true, y_pred) (ranks that differ
//     by one where the longer ends in 1: the rank-1 side is expanded, else the 1 squeezed), then
//     the loss function, which reduces its elementwise term over `axis` (the last by default):
//     one value per remaining position, the per-sample values v (shape V).
//  2. reduce_weighted_values: squeeze_or_expand_to_same_rank(v, sample_weight), then
//     W = v · sample_weight broadcast together (numpy's rules). `per_sample` is W.
//  3. reduce_values: sum → ΣW; sum_over_batch_size and mean → ΣW / |W|; mean_with_sample_weight →
//     ΣW / Σ sample_weight (as given, not broadcast); each divide_no_nan (0 when the divisor is 0).
//     A W of rank 0 is returned as it is by every reduction.
// The kernel runs over the rows of V: row r's value v_r, weighted by w_r = the sum of the
// weights that broadcast onto it, adds w_r·v_r, and its gradient is scaled by w_r (so ΣW and its
// gradient come out of one pass); the answer's per_sample is rebuilt from v as W.
import { rowMeansSimd, rowsFit, type ElementwiseKernel, type RowMeans } from '../simd/simd.ts';
import type { z } from 'zod';
import { broadcastIndex, broadcastShape, elementCount, shapeText, transposeMiddle } from '../layout.ts';
import type { Arrangement, FloatArray, InputProblem, KernelOutput, LossCheck, LossChecks, LossDefinition, LossDemo, PlotSlice, Reduction, SentTensors, TargetArray, TensorInput } from '../types.ts';
import type { Random, Sample } from '../samples.ts';

export const KERAS_REDUCTIONS: readonly Reduction[] = ['sum_over_batch_size', 'sum', 'mean', 'mean_with_sample_weight', 'none'];

/** Keras's backend.epsilon(). */
export const EPSILON = 1e-7;

export const KERAS_REDUCTION_RULE =
  "Keras's: sum_over_batch_size (the default) and mean divide Σ sample_weight·ℓ by the number of weighted values; sum adds them; " +
  'mean_with_sample_weight divides by Σ sample_weight; none answers per_sample (the weighted values) alone. A zero divisor gives 0.';

/** One row's value and, when `g` is given, its gradient with respect to the row's predictions
 *  (written at g[x0 .. x0 + D), times `scale`). Predictions x[x0 .. x0 + D); targets at t0 (the
 *  row's D targets, or its one class index). */
export type RowFn<P> = (x: FloatArray, x0: number, t: TargetArray, t0: number, D: number, params: P, g: FloatArray | null, scale: number) => number;

/** How targets relate to predictions once squeeze_or_expand_to_same_rank ran. */
export type TargetRule =
  /** numpy broadcasting against the predictions (the regression losses) */
  | 'broadcast'
  /** equal shapes (the cross-entropies) */
  | 'same'
  /** class indices: the predictions' shape without the class axis (a trailing 1 squeezed) */
  | 'indices';


/** Keras's squeeze_or_expand_to_same_rank on two shapes (expand_rank_1 = true). */
export function squeezeOrExpand(a: number[], b: number[]): [number[], number[]] {
  if (a.length === b.length + 1 && a[a.length - 1] === 1) return b.length === 1 ? [a, [...b, 1]] : [a.slice(0, -1), b];
  if (b.length === a.length + 1 && b[b.length - 1] === 1) return a.length === 1 ? [[...a, 1], b] : [a, b.slice(0, -1)];
  return [a, b];
}

const problem = (code: InputProblem['code'], field: string | undefined, detail: string): InputProblem => ({ code, field, detail });

type Weights = { data: ArrayLike<number>; shape: number[] };

/** Keras's apply_mask: the mask of the per-sample values (ignored targets) folded into the
 *  weights. For mean and sum_over_batch_size a kept value weighs |mask| / (kept values), so that
 *  dividing by |W| divides by the kept values; otherwise 1. */
function applyMask(values: number[], mask: Uint8Array, sampleWeight: Weights | undefined, reduction: Reduction): Weights {
  let kept = 0;
  for (let i = 0; i < mask.length; i++) kept += mask[i];
  const scaled = reduction === 'mean' || reduction === 'sum_over_batch_size';
  const on = scaled ? (kept === 0 ? 0 : mask.length / kept) : 1;
  const floatMask = Float64Array.from(mask, (m) => m * on);
  if (sampleWeight === undefined) return { data: floatMask, shape: values };
  const [m, s] = squeezeOrExpand(values, sampleWeight.shape);
  const out = broadcastShape(m, s);
  if (out === null) return sampleWeight; // refused by weighting() with the sample_weight's own shape
  const mi = broadcastIndex(m, out);
  const si = broadcastIndex(s, out);
  return { data: Float64Array.from(mi, (k, i) => floatMask[k] * sampleWeight.data[si[i]]), shape: out };
}

/** Step 2 and 3's bookkeeping: each row's summed weight, the answer's W, and the divisor. With a
 *  mask, the value weighs by the reduction's masked weights and per_sample by reduction none's,
 *  as Keras's per-sample answer is the loss object called with reduction None. */
export function weighting(values: number[], sampleWeight: Weights | undefined, reduction: Reduction, mask: Uint8Array | null) {
  if (mask === null) return weigh(values, sampleWeight, reduction);
  const forValue = weigh(values, applyMask(values, mask, sampleWeight, reduction), reduction);
  const forAnswer = weigh(values, applyMask(values, mask, sampleWeight, 'none'), 'none');
  if ('code' in forValue || 'code' in forAnswer) return forValue;
  return { ...forValue, perSample: forAnswer.perSample, weighting: forAnswer.weighting };
}

function weigh(values: number[], sampleWeight: Weights | undefined, reduction: Reduction) {
  const rows = elementCount(values);
  const unitWeight = new Float64Array(rows);
  if (sampleWeight === undefined) {
    unitWeight.fill(1);
    // A rank-0 W is returned as is by every reduction.
    return { unitWeight, perSample: values, weighting: null, denominator: reduction === 'sum' || values.length === 0 ? 1 : rows };
  }
  const [v, s] = squeezeOrExpand(values, sampleWeight.shape);
  const out = broadcastShape(v, s);
  if (out === null) {
    return problem('shape_mismatch', 'sample_weight', `sample_weight of shape ${shapeText(sampleWeight.shape)} does not broadcast against the per-sample values ${shapeText(values)} (Keras's rules: a trailing 1 squeezed or added, then numpy broadcasting from the last axis)`);
  }
  const vIndex = broadcastIndex(v, out);
  const sIndex = broadcastIndex(s, out);
  const weights = new Float64Array(vIndex.length);
  for (let k = 0; k < weights.length; k++) {
    weights[k] = sampleWeight.data[sIndex[k]];
    unitWeight[vIndex[k]] += weights[k];
  }
  let denominator = weights.length;
  if (reduction === 'mean_with_sample_weight') {
    denominator = 0;
    for (let i = 0; i < sampleWeight.data.length; i++) denominator += sampleWeight.data[i];
  }
  if (reduction === 'sum' || out.length === 0) denominator = 1;
  return { unitWeight, perSample: out, weighting: { index: vIndex, weights }, denominator };
}

/** The reduced axes as Keras reads `axis` (null: all of them; negative: from the end), sorted; a
 *  problem when one is out of range or they are not contiguous (the kernel reads each sample's
 *  values as one run). */
function canonicalAxes(axis: number | readonly number[] | null, rank: number): number[] | InputProblem {
  const given = axis === null ? Array.from({ length: rank }, (_, i) => i) : typeof axis === 'number' ? [axis] : axis;
  const axes: number[] = [];
  for (const a of given) {
    if (a < -rank || a >= rank) return problem('invalid_params', 'params.axis', `axis ${a} is out of range for predictions of rank ${rank}`);
    const k = a < 0 ? a + rank : a;
    if (!axes.includes(k)) axes.push(k);
  }
  axes.sort((a, b) => a - b);
  if (axes.length === 0 || axes[axes.length - 1] - axes[0] + 1 !== axes.length) {
    return problem('invalid_params', 'params.axis', `axis ${JSON.stringify(axis)}: the reduced axes must be adjacent ones (the service reads each sample as one run)`);
  }
  return axes;
}

/** Steps 1 and 2 for a loss that reduces one axis of predictions (and targets) per sample. */
export interface RowRules {
  /** The axes reduced per sample (−1: the last; null: all), adjacent. */
  axis: number | readonly number[] | null;
  /** Targets rewritten once, whole (hinge: 0/1 labels read as −1/1 when every label is 0 or 1). */
  targets?: (t: TargetArray) => TargetArray;
  /** Which per-sample values count (1) and which are masked out (0; Keras's keras_mask). */
  mask?: (t: TargetArray) => Uint8Array | null;
}

export function arrangeRows(name: string, rule: TargetRule, sent: SentTensors, reduction: Reduction, rules: RowRules): Arrangement | InputProblem {
  const axisParam = rules.axis;
  const p = sent.predictions!;
  const t = sent.targets!;
  let [ts, ps] = rule === 'indices' ? [t.shape, p.shape] : squeezeOrExpand(t.shape, p.shape);
  if (ps.length === 0) return problem('shape_mismatch', 'predictions', `${name} reduces an axis of predictions: a rank-0 tensor has none`);
  const axes = canonicalAxes(axisParam, ps.length);
  if (!Array.isArray(axes)) return axes;
  const axis = axes[0];
  const last = axes[axes.length - 1];
  let targets = t.data;
  if (rule === 'indices') {
    // Class indices: the predictions' shape without the class axis (a trailing 1 squeezed).
    if (ts.length === ps.length && ts[axis] === 1) ts = ts.filter((_, i) => i !== axis);
    const expected = ps.filter((_, i) => i !== axis);
    if (shapeText(ts) !== shapeText(expected)) return problem('shape_mismatch', 'targets', `targets have shape ${shapeText(t.shape)}; ${name} needs class indices of shape ${shapeText(expected)} for predictions ${shapeText(p.shape)}`);
  } else if (rule === 'same') {
    if (shapeText(ts) !== shapeText(ps)) return problem('shape_mismatch', 'targets', `targets have shape ${shapeText(t.shape)} but predictions ${shapeText(p.shape)}; ${name} needs the same shape`);
  } else {
    const b = broadcastShape(ts, ps);
    if (b === null || shapeText(b) !== shapeText(ps)) {
      return problem('shape_mismatch', 'targets', `targets of shape ${shapeText(t.shape)} do not broadcast to the predictions' shape ${shapeText(p.shape)}`);
    }
    if (shapeText(ts) !== shapeText(ps)) {
      const index = broadcastIndex(ts, ps);
      const full = new Float64Array(index.length);
      for (let k = 0; k < full.length; k++) full[k] = t.data[index[k]];
      targets = full;
    }
  }
  if (rules.targets) targets = rules.targets(targets);
  // The reduced axes moved last, when they are not: the kernel reads rows of D.
  const D = elementCount(ps.slice(axis, last + 1));
  const outer = elementCount(ps.slice(0, axis));
  const inner = elementCount(ps.slice(last + 1));
  const transpose = inner === 1 ? null : { outer, a: D, b: inner, inner: 1 };
  const values = ps.filter((_, i) => i < axis || i > last);
  const w = weighting(values, sent.sample_weight, reduction, rules.mask?.(targets) ?? null);
  if ('code' in w) return w;
  return {
    shape: [elementCount(values), D],
    predictions: transpose === null ? (p.data as FloatArray) : transposeMiddle(p.data as FloatArray, transpose, true),
    targets: transpose === null || rule === 'indices' ? targets : transposeMiddle(targets as Float64Array, transpose, true),
    targetsAreIndices: rule === 'indices',
    extra: { unit_weight: w.unitWeight },
    shapes: { gradient: p.shape, perSample: w.perSample },
    transpose,
    denominator: w.denominator,
    weighting: w.weighting,
  };
}

/** The kernel over rows [lo, hi): Σ w_r·v_r, per_sample v_r (weighted afterwards), gradients × w_r. */
export function rowKernel<P>(row: RowFn<P>) {
  return ({ predictions: x, targets: t, cols: D, params, extra, targetsAreIndices }: { predictions: FloatArray; targets: TargetArray; cols: number; params: P; extra: Record<string, FloatArray>; targetsAreIndices: boolean }, lo: number, hi: number, out: KernelOutput): number => {
    const w = extra.unit_weight;
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      // A row of weight 0 (masked, or weighted 0) adds nothing and passes no gradient; it is not
      // evaluated (a masked row's target may be no class at all).
      if (w[r] === 0) {
        out.gradient?.fill(0, r * D, (r + 1) * D);
        if (out.perSample !== null) out.perSample[r] = 0;
        continue;
      }
      const v = row(x, r * D, t, targetsAreIndices ? r : r * D, D, params, out.gradient, out.gradScale * w[r]);
      if (out.perSample !== null) out.perSample[r] = v;
      sum += w[r] * v;
    }
    return sum;
  };
}

/** Rows [lo, hi) of D in SIMD: Σ_r w_r·v_r, per_sample v_r, the gradient rows times w_r·scale
 *  (rows of weight 0 give 0 and a zero gradient), as rowKernel computes them. */
export type SimdRows = (x: FloatArray, t: TargetArray, D: number, lo: number, hi: number, out: KernelOutput, weights: FloatArray) => number;

/** Rows whose terms are elementwise: the mean over the row of one SIMD kernel's values. */
export const elementwiseRows =
  (kernel: ElementwiseKernel, options: Omit<RowMeans, 'weights'> = {}): SimdRows =>
  (x, t, D, lo, hi, out, weights) =>
    rowMeansSimd(kernel, x, t, D, lo, hi, out, { ...options, weights });

/** The rows through the loss's SIMD form where its parameters have one (and its rows fit a call),
 *  else through the scalar row kernel. */
function simdRows<P>(form: (params: P) => SimdRows | null, scalar: ReturnType<typeof rowKernel<P>>): ReturnType<typeof rowKernel<P>> {
  return (input, lo, hi, out) => {
    const simd = rowsFit(input.cols) ? form(input.params) : null;
    return simd === null ? scalar(input, lo, hi, out) : simd(input.predictions, input.targets, input.cols, lo, hi, out, input.extra.unit_weight);
  };
}

/** Keras's y_pred, y_true and sample_weight; `labels`: integer targets (class indices, CTC labels)
 *  of the given metadata shape. */
export const kerasInputs = (predictions: string, targets: string, labels: number[] | null = null): readonly TensorInput[] => [
  {
    name: 'predictions',
    alsoNamed: 'y_pred',
    differentiable: true,
    description: `Keras's y_pred: ${predictions}`,
    metadata: { datatype: 'FP64', shape: [-1, -1], accepts: `FP32 or FP64; ${predictions} (shape [-1, -1] declares the common [N, D])` },
  },
  {
    name: 'targets',
    alsoNamed: 'y_true',
    differentiable: false,
    description: `Keras's y_true: ${targets}`,
    metadata: labels === null ? { datatype: 'FP64', shape: [-1, -1], accepts: `FP32, FP64, INT32 or INT64; ${targets}` } : { datatype: 'INT64', shape: labels, accepts: `INT64, INT32, or floats holding integers; ${targets}` },
  },
  {
    name: 'sample_weight',
    differentiable: false,
    optional: true,
    shape: 'free',
    description: 'optional weights of the per-sample values: a scalar, [N], [N, 1], or any shape Keras broadcasts against them',
    metadata: { datatype: 'FP64', shape: [-1], accepts: 'FP32 or FP64, optional: a scalar, [N], [N, 1], or any shape Keras broadcasts against the per-sample values' },
  },
];

interface KerasSpec<P> {
  /** Keras's function name (the loss is `keras.<name>`) and class name (its alias). */
  name: string;
  className: string;
  summary: string;
  formula: string;
  predictions: string;
  targets: string;
  targetRule: TargetRule;
  params: z.ZodType<P>;
  /** The axis reduced per sample, targets rewritten, a mask (RowRules); axis −1 by default. */
  rules?: (params: P) => Partial<RowRules>;
  row?: RowFn<P>;
  checkParams?: LossChecks<P>['checkParams'];
  checkData?: LossChecks<P>['checkData'];
  /** The SIMD form of the rows for these parameters (`elementwiseRows` for elementwise terms), or
   *  null for `row`; `row` stays the scalar reference the SIMD form is tested against. */
  simd?: (params: P) => SimdRows | null;
  /** A kernel over all rows at once instead of `row` (circle couples every row with every other). */
  coupledKernel?: LossDefinition<P>['kernel'];
  plot: PlotSlice;
  sample(r: Random): Sample;
  example: LossDemo['example'];
  /** What POST /check tries beside it (LossDefinition.check). */
  check?: LossCheck;
}

/** A `keras.*` loss over rows, from its per-row formula. */
export function kerasLoss<P>(spec: KerasSpec<P>): LossDefinition<P> {
  const name = `keras.${spec.name}`;
  // The scalar rows: the kernel, or the reference of its SIMD form.
  const rows = spec.row === undefined ? undefined : rowKernel(spec.row);
  return {
    name,
    aliases: [],
    family: 'keras',
    libraryNames: { keras: { function: spec.name, class: spec.className } },
    docs: {
      summary: spec.summary,
      formula: spec.formula,
      reductionRule: KERAS_REDUCTION_RULE,
      reference: `keras.losses.${spec.className} (Keras 3.16)`,
      predictions: spec.predictions,
      targets: spec.targets,
    },
    tensors: {
      inputs: kerasInputs(spec.predictions, spec.targets, spec.targetRule === 'indices' ? [-1] : null),
      layout: 'rows',
      targetLayout: spec.targetRule === 'indices' ? 'indices' : 'same',
      arrange: (sent, params, reduction) => arrangeRows(name, spec.targetRule, sent, reduction, { axis: -1, ...spec.rules?.(params) }),
      coupledRows: spec.coupledKernel !== undefined,
    },
    reductions: KERAS_REDUCTIONS,
    params: spec.params,
    checks: { checkParams: spec.checkParams, checkData: spec.checkData },
    kernel: spec.coupledKernel ?? (spec.simd === undefined ? rows! : simdRows(spec.simd, rows!)),
    scalarKernel: spec.simd === undefined ? undefined : rows,
    demo: { plot: spec.plot, sample: spec.sample, example: spec.example },
    ...(spec.check === undefined ? {} : { check: spec.check }),
  };
}
