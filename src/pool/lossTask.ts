// What crosses from the validation layer to a kernel, and what comes back. Both are
// structured-clonable. Typed arrays on ordinary ArrayBuffers cross worker boundaries by transfer;
// arrays on SharedArrayBuffers (large binary tensors) are shared, so several workers can each
// take a range of one request.
import type { FloatArray, InputProblem, KernelInput, Reduction } from '../losses/types.ts';
import type { Regularization } from '../losses/regularization.ts';

export interface LossTask {
  /** Canonical loss name (registry key). */
  loss: string;
  input: KernelInput<unknown>;
  reduction: Reduction;
  wantPerSample: boolean;
  wantGradient: boolean;
  regularization: Regularization | null;
  /** True for binary tensors, which may hold NaN or ±Infinity: checked where the kernel runs. */
  checkFinite: boolean;
  /** Targets as they arrived when they need converting first (INT64 → float64, BOOL → 0/1): each
   *  range is converted into input.targets (a Float64Array of the same length) before its checks. */
  rawTargets: BigInt64Array | Uint8Array | null;
}

export interface LossResult {
  value: number;
  /** What `mean`/`batchmean` divided Σ per_sample by (1 for `sum`). */
  denominator: number;
  perSample: FloatArray | null;
  gradient: FloatArray | null;
  parametersGradient: Float64Array | null;
  /** Set when float64 overflowed (e.g. exp of a margin below -709): which output, and where. */
  nonFinite: { field: 'value' | 'per_sample' | 'gradient'; index?: number } | null;
  /** Set when the data break the loss's domain: the request is refused with a 400. */
  problem: InputProblem | null;
}

export const isShared = (b: ArrayBufferLike): b is SharedArrayBuffer => b instanceof SharedArrayBuffer;
const owned = (b: ArrayBufferLike): b is ArrayBuffer => !isShared(b);

/** Where shared buffers come from when no request lease is given. */
export const freshShared = (bytes: number) => new SharedArrayBuffer(bytes);

/** The ordinary (non-shared) buffers a task owns, for the transfer list. */
export function taskBuffers(task: LossTask): ArrayBuffer[] {
  const all = [task.input.predictions.buffer, task.input.targets.buffer, task.rawTargets?.buffer, task.regularization?.parameters.buffer];
  return [...new Set(all.filter((b): b is ArrayBufferLike => b !== undefined).filter(owned))];
}

export function resultBuffers(result: LossResult): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const a of [result.perSample, result.gradient, result.parametersGradient]) if (a !== null && owned(a.buffer)) buffers.push(a.buffer);
  return buffers;
}

/** Bytes a task allocates beyond its inputs: its outputs (at most the predictions' size each)
 *  and the float64 copy of targets that arrive as INT64 or BOOL. */
export function taskOutputBytes(task: LossTask): number {
  const outputs = (task.wantPerSample ? 1 : 0) + (task.wantGradient ? 1 : 0);
  return outputs * task.input.predictions.byteLength + (task.rawTargets === null ? 0 : task.rawTargets.length * 8);
}
