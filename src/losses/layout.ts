// Shapes, numpy's broadcasting, and two axes of a tensor swapped, for kernels that read it in another order than the
// request sent it: [N, C, d…] with the class axis last, [T, N, C] sample-major, Keras's `axis`
// moved last. The validation layer moves the inputs; the pool moves the gradient back
// (pool/taskArrays.ts).
import type { FloatArray } from './types.ts';

/** The number of elements of a shape (1 for rank 0). */
export const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** `[2, 3]`: a shape as messages write it. */
export const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** numpy's broadcast shape, or null. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each element of the broadcast shape `out`, the flat index it reads in `shape`. */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const index = new Int32Array(elementCount(out));
  const rank = out.length;
  const strides = new Array<number>(rank).fill(0);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    const d = shape[shape.length - rank + i] ?? 1;
    strides[i] = d === 1 ? 0 : s;
    s *= d;
  }
  const at = new Array<number>(rank).fill(0);
  for (let k = 0, flat = 0; k < index.length; k++) {
    index[k] = flat;
    for (let i = rank - 1; i >= 0; i--) {
      at[i]++;
      flat += strides[i];
      if (at[i] < out[i]) break;
      flat -= strides[i] * at[i];
      at[i] = 0;
    }
  }
  return index;
}

/** A tensor seen as [outer, a, b, inner] in the request and as [outer, b, a, inner] by the kernel. */
export interface Transposition {
  outer: number;
  a: number;
  b: number;
  inner: number;
}

/** The request's flat index of the kernel's element `k` (to name a bad element as it was sent). */
export function requestIndex({ a, b, inner }: Transposition, k: number): number {
  const e = k % inner;
  let r = (k - e) / inner;
  const i = r % a; // kernel [o, j, i]
  r = (r - i) / a;
  const j = r % b;
  const o = (r - j) / b;
  return ((o * a + i) * b + j) * inner + e;
}

/** [outer, a, b, inner] → [outer, b, a, inner] (toKernel) or back, in a copy of the same type;
 *  a shared source gets a shared copy (from `allocateShared`), so that the request still splits
 *  across the workers. */
export function transposeMiddle<A extends Float32Array | Float64Array>(
  src: A,
  { outer, a, b, inner }: Transposition,
  toKernel: boolean,
  allocateShared: (bytes: number) => SharedArrayBuffer = (bytes) => new SharedArrayBuffer(bytes),
): A {
  const Type = src.constructor as { new (length: number): A; new (buffer: ArrayBufferLike): A };
  const out = src.buffer instanceof SharedArrayBuffer ? new Type(allocateShared(src.byteLength)) : new Type(src.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < b; j++) {
        const request = ((o * a + i) * b + j) * inner; // [outer, a, b, inner]
        const kernel = ((o * b + j) * a + i) * inner; // [outer, b, a, inner]
        if (inner === 1) {
          if (toKernel) out[kernel] = src[request];
          else out[request] = src[kernel];
        } else if (toKernel) out.set(src.subarray(request, request + inner), kernel);
        else out.set(src.subarray(kernel, kernel + inner), request);
      }
    }
  }
  return out;
}

/** Flat row-major data as nested arrays of `shape` (rank ≥ 1). */
export function toNestedArray(data: FloatArray, shape: readonly number[]): unknown[] {
  const rank = shape.length;
  const build = (depth: number, offset: number, stride: number): unknown[] => {
    const n = shape[depth];
    const out = new Array(n);
    if (depth === rank - 1) {
      for (let i = 0; i < n; i++) out[i] = data[offset + i];
    } else {
      const inner = stride / n;
      for (let i = 0; i < n; i++) out[i] = build(depth + 1, offset + i * inner, inner);
    }
    return out;
  };
  return build(0, 0, data.length);
}
