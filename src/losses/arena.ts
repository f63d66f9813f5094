// Small typed arrays carved from a shared slab instead of each getting a buffer of its own.
//
// Every typed array over 64 bytes has its memory outside V8's heap: a backing store allocated,
// zeroed, registered with the collector and swept when it dies. Measured on Node 24 here, that
// costs 2.4 µs for a 256-byte Float64Array and 4.4 µs for a 2,560-byte one, while a view on an
// existing buffer costs 19 ns; a small request allocates five such arrays (its body, its two
// tensors, its two outputs), more than its kernel takes to run. So on the main thread, arrays of
// up to ARENA_MAX_BYTES are views on a 1 MiB slab, handed out in order and never reused: a fresh
// slab is zero, as a fresh array is, and one that is used up is simply dropped (the collector
// frees it when its last view dies). A slab is never transferred to another thread (that would
// detach every view on it): `inArena` tells the pool which arrays to copy before a hop, and a
// worker thread allocates its arrays the ordinary way, since it transfers its results back.
import { isMainThread } from 'node:worker_threads';

const SLAB_BYTES = 1 << 20;

/** Arrays up to this many bytes come from the slab (a 64 KiB body, its tensors, its outputs). */
export const ARENA_MAX_BYTES = 64 * 1024;

const slabs = new WeakSet<ArrayBufferLike>();
let slab = new ArrayBuffer(0);
let used = 0;

/** `bytes` zeroed bytes (a multiple of 8 at an offset that is one) on the current slab, or null
 *  when they should be an array of their own. */
function carve(bytes: number): number | null {
  if (!isMainThread || bytes > ARENA_MAX_BYTES || bytes === 0) return null;
  const aligned = (bytes + 7) & ~7;
  if (used + aligned > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabs.add(slab);
    used = 0;
  }
  const at = used;
  used += aligned;
  return at;
}

export function float64Array(length: number): Float64Array {
  const at = carve(length * 8);
  return at === null ? new Float64Array(length) : new Float64Array(slab, at, length);
}

export function float32Array(length: number): Float32Array {
  const at = carve(length * 4);
  return at === null ? new Float32Array(length) : new Float32Array(slab, at, length);
}

/** A Buffer of `length` zeroed bytes. */
export function byteBuffer(length: number): Buffer {
  const at = carve(length);
  return at === null ? Buffer.from(new ArrayBuffer(length)) : Buffer.from(slab, at, length);
}

/** True when `buffer` is a slab: its arrays must be copied, not transferred, to another thread. */
export const inArena = (buffer: ArrayBufferLike): boolean => slabs.has(buffer);

/** %TypedArray%.prototype.slice, a copy for every kind of typed array (Buffer's own slice is a view). */
const typedArraySlice = (Object.getPrototypeOf(Uint8Array.prototype) as { slice(this: unknown): unknown }).slice;

/** `value` with every typed array on a slab replaced by a copy of its own (objects and arrays
 *  holding one copied shallowly, the rest shared): what may be posted to a worker thread, where
 *  a view would take its whole slab along (or, transferred, detach it). */
export function withoutArena<T>(value: T): T {
  if (ArrayBuffer.isView(value)) return (inArena(value.buffer) ? typedArraySlice.call(value) : value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = value.map(withoutArena);
    return (out.some((w, i) => w !== value[i]) ? out : value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const entries = Object.entries(value);
  const copies = entries.map(([, v]) => withoutArena(v));
  return (copies.some((w, i) => w !== entries[i][1]) ? Object.fromEntries(entries.map(([k], i) => [k, copies[i]])) : value) as T;
}
