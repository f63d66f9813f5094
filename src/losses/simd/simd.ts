// The WebAssembly SIMD kernels (kernels.c, built into kernels.wasm by scripts/build-wasm.sh), one
// instance per thread: every worker imports this module. A call copies its range of the inputs
// into the instance's memory as float64 (FP32 inputs widen exactly), runs, and copies the outputs
// back into the caller's arrays (narrowing to FP32 where those are FP32, as the scalar kernels'
// stores do). The memory is fixed (4 MiB, never grown), so the views made here stay valid.
import { readFileSync } from 'node:fs';
import type { FloatArray, KernelOutput, TargetArray } from '../types.ts';

// The little of WebAssembly's JS API used here (TypeScript declares it only with the DOM libs).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

type ElementwiseExport = (x: number, t: number, n: number, per: number, grad: number, scale: number, p0: number, p1: number, p2: number) => number;

/** The elementwise SIMD kernels, without weights (kernels.c derives each). */
export type ElementwiseKernel =
  | 'bce_with_logits'
  | 'logistic'
  | 'binary_cross_entropy'
  | 'mse'
  | 'l1'
  | 'huber'
  | 'smooth_l1'
  | 'sigmoid_focal'
  | 'poisson_nll'
  | 'kl_div'
  | 'msle'
  | 'exponential'
  | 'log_cosh'
  | 'keras_binary_crossentropy'
  | 'keras_binary_focal_crossentropy'
  | 'keras_msle'
  | 'keras_kl_divergence';

type KernelExports = Record<ElementwiseKernel, ElementwiseExport> & {
  memory: { buffer: ArrayBuffer };
  heap_base(): number;
  cross_entropy_indices(x: number, y: number, rows: number, C: number, ignore: number, per: number, grad: number, scale: number, w: number, e: number, sums: number): number;
  categorical_rows(x: number, t: number, rows: number, C: number, eps: number, fromLogits: number, per: number, grad: number, scale: number, w: number, e: number, sums: number): number;
  demote(a: number, out: number, n: number): void;
  first_beyond(a: number, n: number, bound: number): number;
  row_means(per: number, grad: number, rows: number, D: number, mean: number, w: number, scale: number, out: number): number;
  exp_array(x: number, out: number, n: number): void;
  log1p_array(x: number, out: number, n: number): void;
  log_array(x: number, out: number, n: number): void;
};

const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('./kernels.wasm', import.meta.url))), {});
const wasm = instance.exports as unknown as KernelExports;

/** Elements per call: the eight float64 regions of this length (1 MiB) fit the 4 MiB memory. */
export const SIMD_CHUNK = 16384;

const base = (wasm.heap_base() + 15) & ~15;
const region = (k: number) => base + k * 8 * SIMD_CHUNK;
const view = (k: number) => new Float64Array(wasm.memory.buffer, region(k), SIMD_CHUNK);
// Inputs, outputs, and work space (E and SUMS take two regions each).
const [X, T, PER, GRAD, E, SUMS] = [0, 1, 2, 3, 4, 6];
const views: Record<number, Float64Array> = Object.fromEntries([X, T, PER, GRAD, E, SUMS].map((k) => [k, view(k)]));
/** Float32 values narrowed in the module (copyOut), in region E. */
const narrowed = new Float32Array(wasm.memory.buffer, region(E), SIMD_CHUNK);

/** Float32 rounds doubles from 2^128 − 2^103 (the midpoint between FLT_MAX and 2^128) up to ∞. */
const FLOAT32_OVERFLOW = 2 ** 128 - 2 ** 103;

/** A call's n gradient values from the module's memory to gradient[at, at + n), checked on the way
 *  for values its datatype cannot hold (KernelOutput.gradientChecked) while they are in cache. */
function gradientOut(out: KernelOutput, gradient: FloatArray, at: number, n: number): void {
  const checked = out.gradientChecked;
  if (checked !== undefined) {
    const k = wasm.first_beyond(region(GRAD), n, gradient instanceof Float32Array ? FLOAT32_OVERFLOW : Number.POSITIVE_INFINITY);
    if (k >= 0 && checked.first < 0) checked.first = at + k;
    checked.count += n;
  }
  copyOut(GRAD, n, gradient, at);
}

/** n values of region k to target[at, at + n): float32 targets get them narrowed in the module
 *  (demote, into E, free once a call has run) rather than by a converting TypedArray.set. */
function copyOut(k: number, n: number, target: FloatArray, at: number): void {
  if (target instanceof Float32Array) {
    wasm.demote(region(k), region(E), n);
    target.set(narrowed.subarray(0, n), at);
  } else {
    target.set(views[k].subarray(0, n), at);
  }
}

/** An elementwise loss over elements [lo, hi) of predictions x and targets t (with up to three
 *  numeric parameters, kernels.c says which): Σℓ; per-sample values and the gradient (times
 *  `scale`) written when asked. */
export function elementwiseSimd(kernel: ElementwiseKernel, x: FloatArray, t: TargetArray, lo: number, hi: number, out: KernelOutput, params: readonly number[] = []): number {
  const { perSample, gradient, gradScale: scale } = out;
  const [p0 = 0, p1 = 0, p2 = 0] = params;
  let sum = 0;
  for (let from = lo; from < hi; from += SIMD_CHUNK) {
    const to = Math.min(hi, from + SIMD_CHUNK);
    const n = to - from;
    views[X].set(x.subarray(from, to));
    views[T].set(t.subarray(from, to));
    sum += wasm[kernel](region(X), region(T), n, perSample === null ? 0 : region(PER), gradient === null ? 0 : region(GRAD), scale, p0, p1, p2);
    if (perSample !== null) copyOut(PER, n, perSample, from);
    if (gradient !== null) gradientOut(out, gradient, from, n);
  }
  return sum;
}

/** How rowMeansSimd weighs rows and prepares targets. */
export interface RowMeans {
  /** One weight per row (Keras's unit weights): Σ w_r·v_r, the gradient rows times w_r; a row of
   *  weight 0 gives 0 and a zero gradient row. None: every row weighs 1. */
  weights?: FloatArray | null;
  /** The kernel's numeric parameters (kernels.c says which). */
  params?: readonly number[];
  /** Label smoothing ε: targets y·(1 − ε) + ε/2 before the kernel (Keras's binary forms). */
  smoothing?: number;
  /** Each row's sum instead of its mean (keras.kl_divergence). */
  sum?: boolean;
}

/** An elementwise kernel averaged over each row of D elements, over rows [lo, hi):
 *  Σ_r w_r·(1/D)·Σ_k ℓ_rk, each row's elements added in order as the scalar loops add them (the
 *  per-element values stay in the module's memory); the row means (unweighted) and the gradient
 *  (times w_r·scale/D) written when asked. multilabel_soft_margin (one bce_with_logits per label)
 *  and the Keras losses whose terms are elementwise run on it. */
export function rowMeansSimd(kernel: ElementwiseKernel, x: FloatArray, t: TargetArray, D: number, lo: number, hi: number, out: KernelOutput, options: RowMeans = {}): number {
  const { weights = null, params = [], smoothing = 0, sum: rowSums = false } = options;
  const { perSample, gradient, gradScale: scale } = out;
  const rowsPerCall = Math.floor(SIMD_CHUNK / D);
  const [p0 = 0, p1 = 0, p2 = 0] = params;
  const targets = views[T];
  let sum = 0;
  for (let from = lo; from < hi; from += rowsPerCall) {
    const to = Math.min(hi, from + rowsPerCall);
    const n = (to - from) * D;
    views[X].set(x.subarray(from * D, to * D));
    targets.set(t.subarray(from * D, to * D));
    if (smoothing !== 0) for (let i = 0; i < n; i++) targets[i] = targets[i] * (1 - smoothing) + 0.5 * smoothing;
    if (weights !== null) views[E].set(weights.subarray(from, to));
    // Unweighted, the gradient's whole factor goes into the kernel; weighted, row_means scales
    // each row by its weight.
    const divisor = rowSums ? 1 : D;
    wasm[kernel](region(X), region(T), n, region(PER), gradient === null ? 0 : region(GRAD), weights === null ? scale / divisor : 1, p0, p1, p2);
    sum += wasm.row_means(region(PER), gradient === null ? 0 : region(GRAD), to - from, D, rowSums ? 0 : 1, weights === null ? 0 : region(E), scale, region(SUMS));
    if (perSample !== null) copyOut(SUMS, to - from, perSample, from);
    if (gradient !== null) gradientOut(out, gradient, from * D, n);
  }
  return sum;
}

/** Rows of C per call for the row kernels, and where a call's row weights go: after the rows'
 *  values in PER (2·rows ≤ SIMD_CHUNK for C ≥ 2). */
function rowCalls(C: number) {
  const rowsPerCall = Math.floor(SIMD_CHUNK / Math.max(2, C));
  const weightsAt = region(PER) + 8 * rowsPerCall;
  return { rowsPerCall, weightsAt, w: new Float64Array(wasm.memory.buffer, weightsAt, rowsPerCall) };
}

/** Categorical cross-entropy (soft or one-hot targets, label smoothing ε, logits or
 *  probabilities) over rows [lo, hi) of C: Σ_r w_r·ℓ_r; each row's ℓ and the gradient (times
 *  w_r·scale) written when asked (kernels.c: categorical_rows). Rows need C ≤ SIMD_CHUNK / 2. */
export function categoricalSimd(x: FloatArray, t: TargetArray, C: number, lo: number, hi: number, eps: number, fromLogits: boolean, out: KernelOutput, weights: FloatArray | null = null): number {
  const { perSample, gradient, gradScale: scale } = out;
  // Work space: e takes 2·rows·C (both E regions).
  const { rowsPerCall, weightsAt, w } = rowCalls(C);
  let sum = 0;
  for (let from = lo; from < hi; from += rowsPerCall) {
    const to = Math.min(hi, from + rowsPerCall);
    views[X].set(x.subarray(from * C, to * C));
    views[T].set(t.subarray(from * C, to * C));
    if (weights !== null) w.set(weights.subarray(from, to));
    sum += wasm.categorical_rows(region(X), region(T), to - from, C, eps, fromLogits ? 1 : 0, region(PER), gradient === null ? 0 : region(GRAD), scale, weights === null ? 0 : weightsAt, region(E), region(SUMS));
    if (perSample !== null) copyOut(PER, to - from, perSample, from);
    if (gradient !== null) gradientOut(out, gradient, from * C, (to - from) * C);
  }
  return sum;
}

/** Whether rows of C elements fit a call (classes, labels, a Keras row), with room for two
 *  arrays of work space per call. */
export const rowsFit = (C: number) => C <= SIMD_CHUNK / 2;

/** Row weights of cross_entropySimd: Keras's per-row weights (the per-sample values stay
 *  unweighted, Keras weighs them after), or PyTorch's class weights, w_r = w[y_r] (the per-sample
 *  values are w_y·ℓ). */
export interface CrossEntropyWeights {
  rows?: FloatArray | null;
  classes?: ArrayLike<number>;
}

/** cross_entropy with class-index targets, without label smoothing, over rows [lo, hi) of C
 *  logits: Σ w_r·ℓ_r (w_r from `weights`, else 1; a target equal to `ignore`, or a weight of 0,
 *  gives 0 and a zero gradient row); per-sample values and the gradient (times w_r·`scale`)
 *  written when asked. */
export function crossEntropySimd(x: FloatArray, t: TargetArray, C: number, lo: number, hi: number, ignore: number, out: KernelOutput, weights: CrossEntropyWeights = {}): number {
  const { perSample, gradient, gradScale: scale } = out;
  const { rows: rowWeights = null, classes } = weights;
  const { rowsPerCall, weightsAt, w } = rowCalls(C);
  const weighted = rowWeights !== null || classes !== undefined;
  let sum = 0;
  for (let from = lo; from < hi; from += rowsPerCall) {
    const to = Math.min(hi, from + rowsPerCall);
    const rows = to - from;
    views[X].set(x.subarray(from * C, to * C));
    views[T].set(t.subarray(from, to));
    if (rowWeights !== null) w.set(rowWeights.subarray(from, to));
    if (classes !== undefined) for (let r = from; r < to; r++) w[r - from] = t[r] === ignore ? 0 : classes[t[r]];
    sum += wasm.cross_entropy_indices(region(X), region(T), rows, C, ignore, perSample === null ? 0 : region(PER), gradient === null ? 0 : region(GRAD), scale, weighted ? weightsAt : 0, region(E), region(SUMS));
    if (perSample !== null && classes !== undefined) {
      const per = views[PER];
      for (let r = 0; r < rows; r++) per[r] *= w[r];
    }
    if (perSample !== null) copyOut(PER, rows, perSample, from);
    if (gradient !== null) gradientOut(out, gradient, from * C, rows * C);
  }
  return sum;
}

/** log(max(a[i], floor)) for the n elements of `a` from `from` (n ≤ SIMD_CHUNK; floor a normal
 *  double, ≥ 2^−1022, so that every value is one the module's log takes): a view on the module's
 *  memory, valid until the next call into it. */
export function clampedLogs(a: FloatArray, from: number, n: number, floor: number): Float64Array {
  const x = views[X];
  x.set(a.subarray(from, from + n));
  for (let i = 0; i < n; i++) if (x[i] < floor) x[i] = floor;
  wasm.log_array(region(X), region(T), n);
  return views[T];
}

/** e^x for x ≤ 709.78, log1p(u) for −½ ≤ u ≤ 1 and log(v) for v > 0, elementwise, for the
 *  accuracy tests (n ≤ SIMD_CHUNK). */
export function simdMath(name: 'exp' | 'log1p' | 'log', input: Float64Array): Float64Array {
  views[X].set(input);
  ({ exp: wasm.exp_array, log1p: wasm.log1p_array, log: wasm.log_array })[name](region(X), region(PER), input.length);
  return views[PER].slice(0, input.length);
}
