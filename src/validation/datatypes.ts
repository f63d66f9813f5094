// Open Inference Protocol datatypes the loss models take, and their conversion to the typed
// arrays the kernels read. Binary tensor data is little-endian, row-major, unpadded.
import { ServiceError } from '../errors/catalog.ts';
import { firstNonFinite } from '../losses/math.ts';
import type { FloatArray, TargetArray } from '../losses/types.ts';

export const BYTES_PER_ELEMENT = { BOOL: 1, INT32: 4, INT64: 8, FP32: 4, FP64: 8 } as const;
export type Datatype = keyof typeof BYTES_PER_ELEMENT;

export const FLOAT_TYPES: readonly Datatype[] = ['FP32', 'FP64'];
export const TARGET_TYPES: readonly Datatype[] = ['FP32', 'FP64', 'INT32', 'INT64', 'BOOL'];
/** Integer inputs (lengths, labels): integer datatypes, or floats that hold integers. */
export const INTEGER_TYPES: readonly Datatype[] = ['INT64', 'INT32', 'FP64', 'FP32'];

/** Class labels (scikit-learn's y_true; TensorInput.labels): strings as BYTES, booleans, numbers. */
export const LABEL_TYPES = ['BYTES', 'BOOL', 'INT32', 'INT64', 'FP32', 'FP64'] as const;

/** A BYTES tensor's elements as strings: JSON strings, or binary elements each a 4-byte
 *  little-endian length and that many UTF-8 bytes (the protocol's encoding). */
export function bytesElements(name: string, count: number, json: unknown, chunk: Uint8Array | undefined): string[] {
  if (chunk === undefined) {
    const flat = flatJsonData(json, count, name);
    const bad = flat.findIndex((v) => typeof v !== 'string');
    if (bad >= 0) throw Array.isArray(flat[bad]) ? nestedTooDeep(name) : new ServiceError('invalid_tensor', `input '${name}': BYTES element ${bad} is ${flat[bad] === null ? 'null' : typeof flat[bad]}, not a string`, { field: name, index: bad });
    return flat as string[];
  }
  const out: string[] = [];
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let at = 0;
  while (at < chunk.byteLength) {
    if (at + 4 > chunk.byteLength) throw new ServiceError('bad_tensor_encoding', `input '${name}': BYTES element ${out.length} is cut short (its 4-byte length runs past the data)`, { field: name, index: out.length });
    const length = view.getUint32(at, true);
    if (at + 4 + length > chunk.byteLength) throw new ServiceError('bad_tensor_encoding', `input '${name}': BYTES element ${out.length} says ${length} bytes but the data ends first`, { field: name, index: out.length });
    out.push(Buffer.from(chunk.buffer, chunk.byteOffset + at + 4, length).toString('utf8'));
    at += 4 + length;
  }
  if (out.length !== count) throw new ServiceError('bad_tensor_encoding', `input '${name}': the BYTES data holds ${out.length} elements but its shape holds ${count}`, { field: name });
  return out;
}

/** This machine must be little-endian for typed arrays to view the wire bytes as they are. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!LITTLE_ENDIAN) throw new Error('the binary tensor path assumes a little-endian host');

/** Views a binary chunk (its own buffer, offset 0, so aligned for any typed array) as a typed
 *  array of its datatype, in place: no copy. INT64 and BOOL stay raw here; they are converted to
 *  float64 where the kernel runs (computeLoss.checkBlocks), range by range. */
export function viewBinary(bytes: Uint8Array, datatype: Datatype): FloatArray | TargetArray | BigInt64Array | Uint8Array {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (datatype) {
    case 'FP32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'FP64':
      return new Float64Array(buffer, byteOffset, byteLength / 8);
    case 'INT32':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'INT64':
      return new BigInt64Array(buffer, byteOffset, byteLength / 8);
    case 'BOOL':
      return bytes;
  }
}

/** Levels a v2 input's JSON data is flattened (a JSON body is nested no deeper: MAX_JSON_DEPTH).
 *  Bounded, because Array.prototype.flat recurses and a small body's tensors are taken before
 *  the rest of it is walked for depth (transport/jsonBody.ts); an element still an array is
 *  refused as nested too deep. */
const MAX_DATA_DEPTH = 32;

const nestedTooDeep = (name: string) => new ServiceError('invalid_tensor', `input '${name}': data is nested deeper than ${MAX_DATA_DEPTH} levels; tensors have rank ≤ 8`, { field: name });

/** A v2 input's JSON `data` (nested or flat, row-major) as its `count` elements. */
function flatJsonData(data: unknown, count: number, name: string): unknown[] {
  if (!Array.isArray(data)) throw new ServiceError('invalid_tensor', `input '${name}': data must be an array (nested or flat, row-major)`, { field: name });
  const flat = data.flat(MAX_DATA_DEPTH) as unknown[];
  if (flat.length !== count) throw new ServiceError('invalid_tensor', `input '${name}': data has ${flat.length} elements but its shape holds ${count}`, { field: name });
  return flat;
}

/** JSON tensor data (nested or flat, row-major) → the typed array of the declared datatype. */
export function fromJsonData(data: unknown, datatype: Datatype, count: number, name: string): FloatArray | TargetArray {
  const flat = flatJsonData(data, count, name);
  const out = datatype === 'FP32' ? new Float32Array(count) : datatype === 'INT32' ? new Int32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let v = flat[i];
    if (datatype === 'BOOL' && typeof v === 'boolean') v = v ? 1 : 0;
    if (typeof v !== 'number') throw Array.isArray(v) ? nestedTooDeep(name) : new ServiceError('invalid_tensor', `input '${name}': element ${i} is ${v === null ? 'null' : typeof v}, not a number`, { field: name, index: i });
    if ((datatype === 'INT32' || datatype === 'INT64') && !Number.isInteger(v)) {
      throw new ServiceError('invalid_tensor', `input '${name}': element ${i} (${v}) is not an integer but the datatype is ${datatype}`, { field: name, index: i });
    }
    if (!Number.isFinite(v)) throw new ServiceError('invalid_tensor', `input '${name}': element ${i} is outside float64's finite range (${v}); tensors must hold finite numbers`, { field: name, index: i });
    if (datatype === 'BOOL' && v !== 0 && v !== 1) throw new ServiceError('invalid_tensor', `input '${name}': BOOL element ${i} is ${v}`, { field: name, index: i });
    if (datatype === 'INT32' && (v < -(2 ** 31) || v >= 2 ** 31)) throw new ServiceError('invalid_tensor', `input '${name}': element ${i} (${v}) does not fit INT32`, { field: name, index: i });
    out[i] = v;
  }
  return out;
}

/** NaN or ±Infinity in a (small) float tensor: the first one, named. JSON cannot carry them,
 *  binary can. Predictions and targets are checked where the kernel runs instead. */
export function assertInputFinite(a: FloatArray | TargetArray, name: string): void {
  const i = a instanceof Int32Array ? -1 : firstNonFinite(a);
  if (i >= 0) throw new ServiceError('invalid_tensor', `input '${name}': element ${i} is ${a[i]}; tensors must hold finite numbers`, { field: name, index: i });
}
