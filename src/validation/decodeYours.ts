// The user's own outputs in a POST /check body (`yours`): numbers as the user's code printed them,
// non-finite ones included (null, "NaN", "Infinity", "-Infinity": a user's NaN is a finding),
// checked against the shapes of the loss's outputs for these inputs.
import { ServiceError } from '../errors/catalog.ts';
import { shapeText } from '../losses/layout.ts';

export interface YoursTensor {
  data: Float64Array;
  shape: number[];
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/** A number as the user sent it, or why it is none. */
export function yoursNumber(v: unknown, field: string): number {
  if (typeof v === 'number') return v;
  if (v === null) return Number.NaN;
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  throw new ServiceError('invalid_body', `${field} must be a number (or null, "NaN", "Infinity", "-Infinity"), got ${JSON.stringify(v)?.slice(0, 40)}`, { field });
}

/** Nested arrays (or a bare number) as a flat float64 tensor; ragged arrays are refused. */
export function decodeYoursTensor(value: unknown, field: string): YoursTensor {
  if (!Array.isArray(value)) return { data: Float64Array.of(yoursNumber(value, field)), shape: [] };
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (shape.length > 8) throw new ServiceError('invalid_body', `${field} is nested deeper than rank 8`, { field });
    if (v.length === 0) break;
  }
  const out: number[] = [];
  const walk = (v: unknown, depth: number, at: string) => {
    if (depth === shape.length) {
      out.push(yoursNumber(v, `${field}${at}`));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) throw new ServiceError('invalid_body', `${field}${at} is not an array of ${shape[depth]} (ragged: shape ${shapeText(shape)})`, { field });
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${at}[${i}]`);
  };
  walk(value, 0, '');
  return { data: Float64Array.from(out), shape };
}

/** A tensor of `yours` against the shape the loss gives that output for these inputs. */
export function expectShape(t: YoursTensor, shape: readonly number[], field: string, what: string): void {
  const same = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
  if (!same) throw new ServiceError('shape_mismatch', `${field} has shape ${shapeText(t.shape)}, but ${what} has shape ${shapeText(shape)} for these inputs`, { field });
}
