// Domain checks shared by several losses. Each returns the first offending element as an
// InputProblem (flat row-major index) or null. They run on the main thread before any compute,
// so a refused request never reaches the pool.
import type { FloatArray, InputProblem, KernelInput, TargetArray } from './types.ts';

/** Every element must satisfy `ok`; the message names the first one that does not. */
export function firstViolation(
  data: FloatArray | TargetArray,
  ok: (v: number) => boolean,
  field: 'predictions' | 'targets',
  code: InputProblem['code'],
  describe: (v: number) => string,
): InputProblem | null {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!ok(v)) return { code, field, index: i, detail: `${field}[${i}] = ${v}: ${describe(v)}` };
  }
  return null;
}

export const targetsInUnitInterval = (t: TargetArray) =>
  firstViolation(t, (v) => v >= 0 && v <= 1, 'targets', 'target_out_of_domain', () => 'targets must lie in [0, 1]');

export const targetsZeroOrOne = (t: TargetArray) =>
  firstViolation(t, (v) => v === 0 || v === 1, 'targets', 'target_out_of_domain', () => 'targets must be 0 or 1');

export const targetsPlusMinusOne = (t: TargetArray) =>
  firstViolation(t, (v) => v === 1 || v === -1, 'targets', 'target_out_of_domain', () => 'targets must be -1 or 1');

/** hinge and squared_hinge read a 0 target as -1. */
export const targetsSignOrZero = (t: TargetArray) =>
  firstViolation(t, (v) => v === 1 || v === -1 || v === 0, 'targets', 'target_out_of_domain', () => 'targets must be -1 or 1 (0 is read as -1)');

/** Class indices: integers in [0, C), or exactly `ignoreIndex` when the loss has one. */
export function classIndices(t: TargetArray, classes: number, ignoreIndex?: number): InputProblem | null {
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (v === ignoreIndex) continue;
    if (!Number.isInteger(v)) {
      return { code: 'target_out_of_domain', field: 'targets', index: i, detail: `targets[${i}] = ${v}: a class index must be an integer` };
    }
    if (v < 0 || v >= classes) {
      const ignore = ignoreIndex === undefined ? '' : ` and is not ignore_index (${ignoreIndex})`;
      return { code: 'class_index_out_of_range', field: 'targets', index: i, detail: `targets[${i}] = ${v}: class index out of range [0, ${classes})${ignore}` };
    }
  }
  return null;
}

/** A per-class vector parameter must have one entry per class. */
export function perClassLength(name: string, vector: readonly number[] | undefined, classes: number): InputProblem | null {
  if (vector === undefined || vector.length === classes) return null;
  return { code: 'invalid_params', field: `params.${name}`, detail: `params.${name} has ${vector.length} entries for ${classes} classes` };
}

/** `weight`/`pos_weight` of the binary losses broadcast against the last dimension. */
export function lastDimLength(name: string, vector: readonly number[] | undefined, input: KernelInput<unknown>): InputProblem | null {
  if (vector === undefined || vector.length === input.lastDim) return null;
  return {
    code: 'invalid_params',
    field: `params.${name}`,
    detail: `params.${name} has ${vector.length} entries for a last dimension of ${input.lastDim} (it broadcasts against the last dimension of predictions)`,
  };
}
