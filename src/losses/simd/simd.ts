// The WebAssembly SIMD kernels (kernels.c, built into kernels.wasm by scripts/build-wasm.sh), one
// instance per thread: every worker imports this module. A call copies its range of the inputs
// into the instance's memory as float64 (FP32 inputs widen exactly), runs, and copies the outputs
// back into the caller's arrays (narrowing to FP32 where those are FP32, as the scalar kernels'
// stores do). The memory is fixed (4 MiB, never grown), so the views made here stay valid.
import { readFileSync } from 'node:fs';
import type { FloatArray, TargetArray } from '../types.ts';

// The little of WebAssembly's JS API used here (TypeScript declares it only with the DOM libs).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  heap_base(): number;
  bce_with_logits(x: number, t: number, n: number, per: number, grad: number, scale: number): number;
  exp_nonpositive_array(x: number, out: number, n: number): void;
  log1p_unit_array(x: number, out: number, n: number): void;
}

const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('./kernels.wasm', import.meta.url))), {});
const wasm = instance.exports as unknown as KernelExports;

/** Elements per call: four float64 arrays of this length fit the 4 MiB memory past the stack. */
export const SIMD_CHUNK = 16384;

const base = (wasm.heap_base() + 15) & ~15;
const region = (k: number) => base + k * 8 * SIMD_CHUNK;
const view = (k: number) => new Float64Array(wasm.memory.buffer, region(k), SIMD_CHUNK);
const [X, T, PER, GRAD] = [0, 1, 2, 3];
const views = [view(X), view(T), view(PER), view(GRAD)];

/** bce_with_logits without weight or pos_weight over elements [lo, hi): Σℓ; per-sample values and
 *  the gradient (times `scale`) written when asked. */
export function bceWithLogitsSimd(x: FloatArray, t: TargetArray, lo: number, hi: number, perSample: FloatArray | null, gradient: FloatArray | null, scale: number): number {
  let sum = 0;
  for (let from = lo; from < hi; from += SIMD_CHUNK) {
    const to = Math.min(hi, from + SIMD_CHUNK);
    const n = to - from;
    views[X].set(x.subarray(from, to));
    views[T].set(t.subarray(from, to));
    sum += wasm.bce_with_logits(region(X), region(T), n, perSample === null ? 0 : region(PER), gradient === null ? 0 : region(GRAD), scale);
    if (perSample !== null) perSample.set(views[PER].subarray(0, n), from);
    if (gradient !== null) gradient.set(views[GRAD].subarray(0, n), from);
  }
  return sum;
}

/** e^x for x ≤ 0 and log1p(u) for 0 ≤ u ≤ 1, elementwise, for the accuracy tests (an even n ≤ SIMD_CHUNK). */
export function simdMath(name: 'exp' | 'log1p', input: Float64Array): Float64Array {
  views[X].set(input);
  (name === 'exp' ? wasm.exp_nonpositive_array : wasm.log1p_unit_array)(region(X), region(PER), input.length);
  return views[PER].slice(0, input.length);
}
