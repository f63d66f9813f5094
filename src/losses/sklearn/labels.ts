// Class labels as scikit-learn reads them (sklearn/utils/multiclass.py and preprocessing/_label.py,
// 1.2.1): numbers, booleans (numpy's bool: False < True, equal to 0 and 1) or strings, never
// strings mixed with numbers (np.unique's TypeError). Classes are np.unique's: sorted numbers, or
// strings by code point. type_of_target decides what a label array is: binary (at most two
// values), multiclass, continuous (a float that is not an integer), multilabel-indicator (2-D,
// more than one column, at most two integral values) or a multioutput form no metric here takes.
import { problem } from './sklearnFunction.ts';
import type { InputProblem, SentTensors } from '../types.ts';

export type LabelValue = number | string;

/** A label array as sent: its values (booleans as 0 and 1) and its shape. */
export interface Labels {
  kind: 'number' | 'string';
  values: LabelValue[];
  shape: number[];
}

export type TargetType = 'binary' | 'multiclass' | 'continuous' | 'multilabel-indicator' | 'multiclass-multioutput' | 'continuous-multioutput' | 'unknown';


/** The values of a sent label tensor, or the refusal of strings mixed with numbers. */
export function readLabels(t: NonNullable<SentTensors[string]>, field: string): Labels | InputProblem {
  if (t.labels === undefined) return { kind: 'number', values: Array.from(t.data as ArrayLike<number>), shape: t.shape };
  const firstString = t.labels.findIndex((v) => typeof v === 'string');
  if (firstString < 0) return { kind: 'number', values: t.labels.map(Number), shape: t.shape };
  const firstOther = t.labels.findIndex((v) => typeof v !== 'string');
  if (firstOther >= 0) {
    return problem('invalid_tensor', field, `${field} mixes strings (element ${firstString}: ${JSON.stringify(t.labels[firstString])}) with numbers or booleans (element ${firstOther}: ${t.labels[firstOther]}); labels are all strings or all numbers (scikit-learn: TypeError, '<' not supported between str and int)`, firstOther);
  }
  return { kind: 'string', values: t.labels as string[], shape: t.shape };
}

/** A label parameter (labels, pos_label) as a label value, booleans as 0 and 1. */
export const labelValue = (v: string | number | boolean): LabelValue => (typeof v === 'boolean' ? Number(v) : v);

/** numpy's order: numbers ascending, strings by code point (numpy compares UCS4). */
export function compareLabels(a: LabelValue, b: LabelValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  if (x === y) return 0;
  const xs = [...x];
  const ys = [...y];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const d = xs[i].codePointAt(0)! - ys[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return xs.length - ys.length;
}

/** np.unique: the sorted distinct values. */
export function uniqueLabels(values: readonly LabelValue[]): LabelValue[] {
  const seen = new Map<LabelValue, true>();
  for (const v of values) seen.set(v, true);
  return [...seen.keys()].sort(compareLabels);
}

/** type_of_target for a tensor of rank 1 or 2 (anything else is "unknown"). */
export function typeOfTarget(y: Labels): TargetType {
  if (y.shape.length < 1 || y.shape.length > 2) return 'unknown';
  const columns = y.shape.length === 2 ? y.shape[1] : 1;
  if (y.values.length === 0) return y.shape.length === 1 ? 'binary' : 'unknown';
  const classes = uniqueLabels(y.values);
  // is_multilabel: 2-D, more than one column, fewer than three integral values.
  if (y.kind === 'number' && columns > 1 && classes.length < 3 && classes.every((v) => Number.isInteger(v))) return 'multilabel-indicator';
  const suffix = columns > 1 ? '-multioutput' : '';
  if (y.kind === 'number' && y.values.some((v) => !Number.isInteger(v))) return `continuous${suffix}` as TargetType;
  if (classes.length > 2 || columns > 1) return `multiclass${suffix}` as TargetType;
  return 'binary';
}

/** column_or_1d: [N] or [N, 1] as N values; anything else scikit-learn's "y should be a 1d array". */
export function column(y: Labels, field: string): Labels | InputProblem {
  if (y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1)) return { ...y, shape: [y.shape[0]] };
  return problem('shape_mismatch', field, `${field} has shape [${y.shape.join(', ')}]; it must be [N] or [N, 1] (scikit-learn: "y should be a 1d array, got an array of shape (${y.shape.join(', ')}) instead")`);
}

/** Each value's place among `classes` (−1 where it is not one). */
export function classIndices(values: readonly LabelValue[], classes: readonly LabelValue[]): Int32Array {
  const at = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from(values, (v) => at.get(v) ?? -1);
}

/** Labels as the kernels read them: numbers as they are, strings as their place among every
 *  string of the request (the order, and so equality, kept). */
export function labelCodes(values: readonly LabelValue[], classes: readonly LabelValue[]): Float64Array {
  if (values.every((v) => typeof v === 'number')) return Float64Array.from(values as number[]);
  const at = classIndices(values, classes);
  return Float64Array.from(at);
}

/** A label for a message: strings quoted as Python prints them. */
export const showLabel = (v: LabelValue) => (typeof v === 'string' ? `'${v}'` : String(v));
export const showLabels = (vs: readonly LabelValue[]) => `[${vs.map(showLabel).join(' ')}]`;

/** _check_targets(y_true, y_pred) of zero_one_loss and hamming_loss: both binary or multiclass
 *  (one label per sample, [N] or [N, 1]) or both multilabel indicators [N, L]; the labels as
 *  codes that keep equality (strings by their place among both tensors' strings). The numbers of
 *  samples are checked before (classificationMetric.ts: check_consistent_length). */
export function checkTargets(sent: SentTensors): { multilabel: boolean; n: number; columns: number; y: Float64Array; p: Float64Array } | InputProblem {
  const y = readLabels(sent.targets!, 'targets');
  if ('code' in y) return y;
  const p = readLabels(sent.predictions!, 'predictions');
  if ('code' in p) return p;
  const typeTrue = typeOfTarget(y);
  const typePred = typeOfTarget(p);
  const oneLabel = (t: TargetType) => t === 'binary' || t === 'multiclass';
  if (typeTrue !== typePred && !(oneLabel(typeTrue) && oneLabel(typePred))) {
    return problem('invalid_tensor', 'predictions', `targets are ${typeTrue} and predictions ${typePred} (scikit-learn: "Classification metrics can't handle a mix of ${typeTrue} and ${typePred} targets")`);
  }
  if (!oneLabel(typeTrue) && typeTrue !== 'multilabel-indicator') return problem('invalid_tensor', 'targets', `targets are ${typeTrue}, which no classification metric takes (scikit-learn: "${typeTrue} is not supported")`);
  if (y.kind !== p.kind && y.values.length > 0 && p.values.length > 0) {
    return problem('invalid_tensor', 'predictions', `targets hold ${y.kind === 'string' ? 'strings' : 'numbers'} and predictions ${p.kind === 'string' ? 'strings' : 'numbers'} (scikit-learn: "Labels in y_true and y_pred should be of the same type")`);
  }
  const multilabel = typeTrue === 'multilabel-indicator';
  if (multilabel && y.shape[1] !== p.shape[1]) return problem('shape_mismatch', 'predictions', `targets have ${y.shape[1]} labels per sample and predictions ${p.shape[1]} (scikit-learn: "inconsistent shapes")`);
  const classes = uniqueLabels([...y.values, ...p.values]);
  return { multilabel, n: y.shape[0], columns: multilabel ? y.shape[1] : 1, y: labelCodes(y.values, classes), p: labelCodes(p.values, classes) };
}

/** The kernel's view of two label tensors (zero_one_loss, hamming_loss): [N, L] codes, y_pred
 *  in the predictions slot, y_true in the targets. */
export function arrangeLabelPairs(sent: SentTensors): { shape: number[]; predictions: Float64Array; targets: Float64Array; targetsAreIndices: false } | InputProblem {
  const t = checkTargets(sent);
  if ('code' in t) return t;
  return { shape: [t.n, t.columns], predictions: t.p, targets: t.y, targetsAreIndices: false };
}
