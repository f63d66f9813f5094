// Runs one loss task to completion: the kernel over fixed-size blocks, the reduction, the
// regularization and the overflow check. The worker and the inline path both call this one
// function, so they give the same bits.
import { findLoss } from '../losses/registry.ts';
import { regularize } from '../losses/regularization.ts';
import type { FloatArray, KernelInput, LossDefinition } from '../losses/types.ts';
import type { LossResult, LossTask } from './lossTask.ts';

/** Elements per block. The sum of each block is taken, then the block sums are added in order:
 *  a fixed summation order (so results never depend on how work is split) and shorter chains of
 *  float64 additions than one running sum. */
export const BLOCK_ELEMENTS = 16384;

/** Number of kernel units (elements, or rows for row losses) and units per block. */
export function blocking(def: LossDefinition<any>, input: KernelInput<unknown>): { units: number; block: number } {
  const units = def.layout === 'rows' ? input.rows : input.predictions.length;
  const unitSize = def.layout === 'rows' ? input.cols : 1;
  return { units, block: Math.max(1, Math.floor(BLOCK_ELEMENTS / unitSize)) };
}

function sameKind(like: FloatArray, length: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}

/** Index of the first element that is not finite, or -1. */
function firstNonFinite(a: FloatArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * 0; // 0 for finite, NaN for ±Infinity or NaN
  if (s === 0) return -1;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

export function computeLoss(task: LossTask): LossResult {
  const def = findLoss(task.loss);
  if (def === undefined) throw new Error(`unknown loss ${task.loss}`);
  const { input } = task;
  const { units, block } = blocking(def, input);
  const perSample = task.wantPerSample ? sameKind(input.predictions, units) : null;
  const gradient = task.wantGradient ? sameKind(input.predictions, input.predictions.length) : null;
  const out = { perSample, gradient, gradScale: task.reduction === 'sum' ? 1 : 1 / task.denominator };

  let total = 0;
  for (let lo = 0; lo < units; lo += block) total += def.kernel(input, lo, Math.min(units, lo + block), out);
  let value = task.reduction === 'sum' ? total : total / task.denominator;

  let parametersGradient: Float64Array | null = null;
  if (task.regularization !== null) {
    const r = regularize(task.regularization);
    value += r.penalty;
    parametersGradient = r.gradient;
  }

  let nonFinite: LossResult['nonFinite'] = null;
  if (!Number.isFinite(value)) {
    const index = perSample === null ? -1 : firstNonFinite(perSample);
    nonFinite = index >= 0 ? { field: 'per_sample', index } : { field: 'value' };
  } else if (gradient !== null) {
    const index = firstNonFinite(gradient);
    if (index >= 0) nonFinite = { field: 'gradient', index };
  }
  return { value, perSample, gradient, parametersGradient, nonFinite };
}
