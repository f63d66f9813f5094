// Nested JSON arrays → one flat, row-major Float64Array and its shape, in a single pass that
// refuses empty, ragged, too-deep and non-numeric input and names the first bad element
// (its nested path and its flat index). JSON cannot hold NaN, but a literal past float64's
// range (1e400) parses to ±Infinity: it is refused here, named by its tensor and index.
import { ServiceError, type ProblemCode } from '../errors/catalog.ts';
import { float64Array } from '../losses/arena.ts';
import { isLabelInput, type FloatArray, type LossDefinition, type TargetArray } from '../losses/types.ts';

export const MAX_RANK = 8;


/** NaN, Infinity and -Infinity as Python's json writes them are not JSON: a body that holds them
 *  is read again with each one as a string that starts with this character (jsonDocument.ts),
 *  so that the tensor and the index are named. */
export const NON_FINITE_TOKEN = '\u0000';

/** The refusal of a literal past float64's range, which JSON.parse turns into ±Infinity. */
const notFinite = (where: string, k: number, x: number, field: string) =>
  new ServiceError('invalid_tensor', `${where} is outside float64's finite range (JSON.parse makes it ${x}); tensors must hold finite numbers`, { field, index: k });

/** A class label as JSON sends it: scikit-learn's labels may be strings or booleans. */
export type Label = string | number | boolean;

export interface DecodedTensor {
  data: Float64Array;
  shape: number[];
  /** Set when a label input (TensorInput.labels) holds strings or booleans: every element as
   *  sent, flat and row-major (`data` then holds the numbers, NaN where a label is not one). */
  labels?: Label[];
}

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v) : typeof v);

/** `allowLabels`: the tensor is a label input (scikit-learn's y_true): strings and booleans are
 *  kept in `labels` instead of refused. */
export function decodeJsonTensor(value: unknown, field: string, allowLabels = false): DecodedTensor {
  // A rank-0 tensor is a bare number.
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notFinite(field, 0, value, field);
    return { data: Float64Array.of(value), shape: [] };
  }
  if (!Array.isArray(value)) {
    throw new ServiceError('invalid_tensor', `${field} must be an array of numbers (nested for rank > 1), got ${describe(value)}`, { field });
  }
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) {
    if (shape.length === MAX_RANK) throw new ServiceError('invalid_tensor', `${field} is nested deeper than rank ${MAX_RANK}`, { field });
    shape.push(v.length);
    // An empty dimension (PyTorch's empty tensors): nothing below it to read a shape from.
    if (v.length === 0) break;
  }
  let size = 1;
  for (const d of shape) size *= d;
  const data = float64Array(size);
  const rank = shape.length;
  const path: number[] = [];
  let k = 0;
  let labels: Label[] | undefined;
  const where = () => `${field}${path.map((i) => `[${i}]`).join('')}`;

  const fill = (arr: unknown[], depth: number): void => {
    if (arr.length !== shape[depth]) {
      throw new ServiceError('invalid_tensor', `${where()} has ${arr.length} elements where ${shape[depth]} are expected (ragged array; the shape is read from the first element at each depth: [${shape.join(', ')}])`, { field, index: k });
    }
    if (depth === rank - 1) {
      // A row of finite numbers is copied by a small function of its own (a monomorphic loop,
      // 3× faster than this one in a profile); the loop below takes over at its first other element.
      const copied = labels === undefined ? copyFiniteNumbers(arr, data, k) : 0;
      k += copied;
      for (let i = copied; i < arr.length; i++) {
        const x = arr[i];
        if (typeof x !== 'number') {
          if (typeof x === 'string' && x.startsWith(NON_FINITE_TOKEN)) {
            path.push(i);
            throw new ServiceError('invalid_tensor', `${where()} (flat index ${k}) is ${x.slice(1)} (a token Python's json writes, not JSON); tensors must hold finite numbers`, { field, index: k });
          }
          if (allowLabels && (typeof x === 'string' || typeof x === 'boolean')) {
            // The labels so far were numbers: kept as they are, then every element from here on.
            if (labels === undefined) labels = [...data.subarray(0, k)];
            labels.push(x);
            data[k++] = typeof x === 'boolean' ? Number(x) : Number.NaN;
            continue;
          }
          path.push(i);
          throw new ServiceError('invalid_tensor', `${where()} (flat index ${k}) is ${describe(x)}, not a number`, { field, index: k });
        }
        if (labels !== undefined) labels.push(x);
        if (!Number.isFinite(x)) {
          // JSON has no NaN or Infinity, but a literal such as 1e400 parses to Infinity.
          path.push(i);
          throw notFinite(`${where()} (flat index ${k})`, k, x, field);
        }
        data[k++] = x;
      }
      return;
    }
    for (let i = 0; i < arr.length; i++) {
      const sub = arr[i];
      path.push(i);
      if (!Array.isArray(sub)) {
        throw new ServiceError('invalid_tensor', `${where()} is ${describe(sub)} where an array of ${shape[depth + 1]} is expected (ragged array; shape [${shape.join(', ')}])`, { field, index: k });
      }
      fill(sub, depth + 1);
      path.pop();
    }
  };
  fill(value, 0);
  return labels === undefined ? { data, shape } : { data, shape, labels };
}


/** Copies `row`'s leading finite numbers into `data` from `k`; returns how many there were. */
function copyFiniteNumbers(row: unknown[], data: Float64Array, k: number): number {
  let i = 0;
  for (; i < row.length; i++) {
    const x = row[i];
    if (typeof x !== 'number' || x - x !== 0) break; // x - x is NaN for ±Infinity and NaN
    data[k + i] = x;
  }
  return i;
}

/** A loss's input `name` from JSON: labels allowed where the loss declares a label input. */
export function decodeLossInput(def: LossDefinition, name: string, value: unknown): DecodedTensor {
  return decodeJsonTensor(value, name, isLabelInput(def, name));
}

/** A refusal, as plain data (it crosses from a worker). */
export interface TensorProblem {
  code: ProblemCode;
  detail: string;
  field?: string;
  index?: number;
}

/** A decoded tensor: float64 for POST /loss, the declared datatype's array for v2. */
export interface TakenData {
  data: FloatArray | TargetArray;
  shape: number[];
}

export type TakenTensor = TakenData | { problem: TensorProblem };

