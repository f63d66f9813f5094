// The pool's side of a task (task/lossTask.ts): which buffers it owns and moves, what memory its
// outputs take, and its result put back in the request's layout.
import type { FloatArray } from '../losses/types.ts';
import { elementCount, requestIndex, transposeMiddle } from '../losses/layout.ts';
import type { LossResult, LossTask } from '../task/lossTask.ts';
import { float32Array, float64Array } from '../losses/arena.ts';

export const isShared = (b: ArrayBufferLike): b is SharedArrayBuffer => b instanceof SharedArrayBuffer;
const owned = (b: ArrayBufferLike): b is ArrayBuffer => !isShared(b);

/** Where shared buffers come from when no request lease is given. */
export const freshShared = (bytes: number) => new SharedArrayBuffer(bytes);

/** The ordinary (non-shared) buffers a task owns, for the transfer list. */
export function taskBuffers(task: LossTask): ArrayBuffer[] {
  const all = [task.input.predictions.buffer, task.input.targets.buffer, task.rawTargets?.buffer, task.regularization?.parameters.buffer, ...Object.values(task.input.extra).map((a) => a.buffer)];
  // An empty buffer has nothing to move (and may be detached already).
  return [...new Set(all.filter((b): b is ArrayBufferLike => b !== undefined && b.byteLength > 0).filter(owned))];
}

export function resultBuffers(result: LossResult): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const a of [result.perSample, result.gradient, result.parametersGradient, ...Object.values(result.gradients)]) if (a !== null && owned(a.buffer)) buffers.push(a.buffer);
  return buffers;
}

/** Bytes a task allocates beyond its inputs: its outputs (at most the predictions' size each)
 *  and the float64 copy of targets that arrive as INT64 or BOOL. */
export function taskOutputBytes(task: LossTask): number {
  const outputs = (task.wantPerSample ? 1 : 0) + (task.wantGradient ? 1 : 0);
  return outputs * task.input.predictions.byteLength + (task.rawTargets === null ? 0 : task.rawTargets.length * 8);
}

/** The result in the request's layout: the gradient's swapped axes moved back where they were,
 *  per-row gradients summed, per-sample values weighted; what was kept in float64 for the last
 *  two (computeLoss.ts) rounded once to the predictions' datatype here. */
export function inRequestLayout(task: LossTask, result: LossResult): LossResult {
  result = withPerRowGradients(task, result);
  const w = task.weighting;
  if (w && result.perSample !== null) {
    const v = result.perSample;
    const out = outputLike(task.input.predictions, w.index.length);
    for (let k = 0; k < out.length; k++) out[k] = w.weights[k] * v[w.index[k]];
    result = { ...result, perSample: out, nonFinite: result.nonFinite ?? overflowOf(out, 'per_sample') };
  }
  const t = task.transpose;
  if (t === null || result.gradient === null) return result;
  const nf = result.nonFinite;
  const nonFinite = nf?.field === 'gradient' && nf.index !== undefined ? { ...nf, index: requestIndex(t, nf.index) } : nf;
  return { ...result, gradient: transposeMiddle(result.gradient, t, false), nonFinite };
}

/** An output array of the type of `like` (the predictions, usually): small ones from the arena
 *  (arena.ts), or on a shared buffer from `allocateShared`. */
export function outputLike(like: FloatArray, length: number, allocateShared?: (bytes: number) => SharedArrayBuffer): FloatArray {
  const float32 = like instanceof Float32Array;
  if (allocateShared === undefined) return float32 ? float32Array(length) : float64Array(length);
  const buffer = allocateShared((float32 ? 4 : 8) * length);
  return float32 ? new Float32Array(buffer) : new Float64Array(buffer);
}

/** Where a float32 output rounded from float64 overflowed (the kernels' check saw float64). */
function overflowOf(out: FloatArray, field: string): LossResult['nonFinite'] {
  if (!(out instanceof Float32Array)) return null;
  const index = out.findIndex((v) => !Number.isFinite(v));
  return index < 0 ? null : { field, index, float32: true };
}

/** Gradients of per-row inputs (expanded along the last dimension for the kernel) summed back to
 *  one value per row, in row order. */
function withPerRowGradients(task: LossTask, result: LossResult): LossResult {
  if (task.perRowInputs === undefined || task.perRowInputs.length === 0) return result;
  const gradients = { ...result.gradients };
  let nonFinite = result.nonFinite;
  for (const name of task.perRowInputs) {
    const full = gradients[name];
    if (full === undefined) continue;
    const rows = elementCount(task.shapes.inputs?.[name] ?? []);
    const per = full.length / rows;
    const summed = outputLike(task.input.predictions, rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < per; j++) s += full[r * per + j];
      summed[r] = s;
    }
    gradients[name] = summed;
    nonFinite ??= overflowOf(summed, name);
  }
  return { ...result, gradients, nonFinite };
}
