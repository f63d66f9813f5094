// What crosses from the validation layer to a kernel, and what comes back. Both are
// structured-clonable; their typed arrays cross worker boundaries by transfer.
import type { FloatArray, KernelInput, Reduction } from '../losses/types.ts';
import type { Regularization } from '../losses/regularization.ts';

export interface LossTask {
  /** Canonical loss name (registry key). */
  loss: string;
  input: KernelInput<unknown>;
  reduction: Reduction;
  /** The mean/batchmean denominator (> 0); 1 for sum. */
  denominator: number;
  wantPerSample: boolean;
  wantGradient: boolean;
  regularization: Regularization | null;
}

export interface LossResult {
  value: number;
  perSample: FloatArray | null;
  gradient: FloatArray | null;
  parametersGradient: Float64Array | null;
  /** Set when float64 overflowed (e.g. exp of a margin below -709): which output, and where. */
  nonFinite: { field: 'value' | 'per_sample' | 'gradient'; index?: number } | null;
}

/** Every typed-array buffer a task owns, for the transfer list. */
export function taskBuffers(task: LossTask): ArrayBuffer[] {
  const buffers = [task.input.predictions.buffer, task.input.targets.buffer];
  if (task.regularization !== null) buffers.push(task.regularization.parameters.buffer);
  return [...new Set(buffers)] as ArrayBuffer[];
}

export function resultBuffers(result: LossResult): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const a of [result.perSample, result.gradient, result.parametersGradient]) if (a !== null) buffers.push(a.buffer as ArrayBuffer);
  return buffers;
}
