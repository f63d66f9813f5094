// From decoded tensors and parsed parameters to a task a kernel can run: the loss's shape rules
// and its parameter checks, all O(1), on the main thread. The checks that read every element
// (finiteness, the loss's domain, the mean's denominator) run with the kernel, where large
// requests are split across workers (computeLoss.ts). Shared by POST /loss and the v2 infer route,
// so both refuse the same requests with the same messages.
import { ServiceError } from '../errors/catalog.ts';
import type { FloatArray, KernelInput, LossDefinition, Reduction, TargetArray } from '../losses/types.ts';
import { freshShared, isShared, type LossTask } from '../pool/lossTask.ts';

export interface TensorView<A> {
  data: A;
  shape: number[];
}

export interface LossRequestParts {
  def: LossDefinition;
  predictions: TensorView<FloatArray>;
  /** Targets the kernels read, or, with `rawTargets`, only their shape (data may be empty). */
  targets: TensorView<TargetArray>;
  /** INT64 or BOOL targets as they arrived: converted to float64 where the kernel runs. */
  rawTargets?: BigInt64Array | Uint8Array;
  /** Binary tensors may hold NaN or ±Infinity: check them (JSON cannot hold them). */
  checkFinite?: boolean;
  /** Where shared buffers come from (a request's buffer lease). */
  allocateShared?: (bytes: number) => SharedArrayBuffer;
  /** Parameters already parsed by `def.params` (defaults applied). */
  params: unknown;
  reduction: Reduction;
  wantPerSample: boolean;
  wantGradient: boolean;
  regularization: { l1: number; l2: number; parameters: FloatArray } | null;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

export function reductionsOf(def: LossDefinition): Reduction[] {
  return ['mean', 'sum', ...(def.extraReductions ?? [])];
}

/** Whether the targets are class indices (else they have the predictions' shape); refuses shapes that disagree. */
function targetsAreClassIndices(def: LossDefinition, p: readonly number[], t: readonly number[]): boolean {
  if (def.layout === 'rows' && p.length !== 2) {
    throw new ServiceError('shape_mismatch', `${def.name} takes predictions of shape [N, C]; got ${shapeText(p)}`, { field: 'predictions' });
  }
  const indicesOk = def.layout === 'rows' && t.length === 1 && t[0] === p[0];
  const sameOk = sameShape(p, t);
  switch (def.targetLayout) {
    case 'same':
      if (sameOk) return false;
      throw new ServiceError('shape_mismatch', `targets have shape ${shapeText(t)} but predictions ${shapeText(p)}; ${def.name} needs the same shape (nothing is broadcast)`, { field: 'targets' });
    case 'indices':
      if (indicesOk) return true;
      throw new ServiceError('shape_mismatch', `targets have shape ${shapeText(t)}; ${def.name} needs class indices of shape [${p[0]}] for predictions ${shapeText(p)}`, { field: 'targets' });
    case 'indices-or-same':
      if (indicesOk) return true;
      if (sameOk) return false;
      throw new ServiceError(
        'shape_mismatch',
        `targets have shape ${shapeText(t)}; ${def.name} needs class indices [${p[0]}] or probabilities ${shapeText(p)} for predictions ${shapeText(p)}`,
        { field: 'targets' },
      );
  }
}

export function prepareLossTask(parts: LossRequestParts): LossTask {
  const { def, predictions, targets, reduction } = parts;
  if (!reductionsOf(def).includes(reduction)) {
    throw new ServiceError('invalid_body', `reduction '${reduction}' is not available for ${def.name}; use ${reductionsOf(def).join(' or ')}`, { field: 'reduction' });
  }
  const shape = predictions.shape;
  const targetsAreIndices = targetsAreClassIndices(def, shape, targets.shape);
  const raw = parts.rawTargets ?? null;
  const input: KernelInput<unknown> = {
    predictions: predictions.data,
    // Raw targets are converted into a float64 array of their length, shared if they are.
    targets:
      raw === null
        ? targets.data
        : new Float64Array(isShared(raw.buffer) ? (parts.allocateShared ?? freshShared)(raw.length * 8) : new ArrayBuffer(raw.length * 8)),
    shape,
    rows: def.layout === 'rows' ? shape[0] : predictions.data.length,
    cols: def.layout === 'rows' ? shape[1] : 1,
    lastDim: shape[shape.length - 1],
    targetsAreIndices,
    params: parts.params,
  };
  const problem = def.checkParams?.(input) ?? null;
  if (problem !== null) throw new ServiceError(problem.code, problem.detail, { field: problem.field, index: problem.index });
  return {
    loss: def.name,
    input,
    reduction,
    wantPerSample: parts.wantPerSample,
    wantGradient: parts.wantGradient,
    regularization: parts.regularization,
    checkFinite: parts.checkFinite ?? false,
    rawTargets: raw,
  };
}
