// The contract between the stage that prepares a computation and those that run and answer it:
// the task a kernel runs (validation → pool), the result it gives (pool → response), what the
// answer is asked to hold, and how a split computation reports its progress. Types and their
// names only; it lies below the pool and the response, which both read it. Structured-clonable:
// typed arrays on ordinary ArrayBuffers cross worker boundaries by transfer; arrays on
// SharedArrayBuffers (large binary tensors) are shared, so several workers can each take a range
// of one request.
import { tensorInputs, type FloatArray, type InputProblem, type KernelInput, type LossDefinition, type Reduction } from '../losses/types.ts';
import type { Transposition } from '../losses/layout.ts';
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
  /** The shapes of the answer's tensors, as the request gave them (the kernel may see predictions
   *  [N·D, C] where the request sent [N, C, D]). */
  shapes: { gradient: number[]; perSample: number[]; inputs?: Record<string, number[]>; value?: number[] };
  /** Extra inputs broadcast along the last dimension for the kernel (one value per row): their
   *  gradients are summed back along it before the answer. */
  perRowInputs?: string[];
  /** Set when the kernel reads the first input with two axes swapped ([N, C, D] → [N, D, C]: the
   *  class axis last; [T, N, C] → [N, T, C]: sequences sample-major): the gradient is moved back
   *  before the answer (`transposeMiddle`). */
  transpose: Transposition | null;
  /** The reduction's denominator when the loss fixed it from the shapes and weights (Keras's);
   *  0 means divide-no-nan: the value and gradient are 0. */
  denominator?: number | null;
  /** The per-sample answer built from the kernel's row values (Arrangement.weighting). */
  weighting?: { index: Int32Array; weights: Float64Array } | null;
}

export interface LossResult {
  value: number;
  /** A value that is a vector (scikit-learn's multioutput="raw_values"), of shape shapes.value:
   *  then `value` is not used. */
  values?: Float64Array | null;
  /** What `mean`/`batchmean` divided Σ per_sample by (1 for `sum`). */
  denominator: number;
  perSample: FloatArray | null;
  gradient: FloatArray | null;
  /** The gradients with respect to the other differentiable inputs, by input name. */
  gradients: Record<string, FloatArray>;
  parametersGradient: Float64Array | null;
  /** Set when float64 overflowed (e.g. exp of a margin below -709): which output ('value',
   *  'per_sample', 'gradient' or a differentiable input's name), and where. */
  nonFinite: { field: string; index?: number; float32?: boolean } | null;
  /** Set when the data break the loss's domain: the request is refused with a 400. */
  problem: InputProblem | null;
}

/** value, per_sample, gradient (or gradient_<input> per differentiable input), parameters_gradient. */
export type OutputName = string;

/** The gradient outputs of a loss: `gradient` for one differentiable input, else one
 *  `gradient_<input>` each. */
export function gradientOutputs(def: LossDefinition): { output: string; input: string }[] {
  const names = tensorInputs(def).filter((i) => i.differentiable).map((i) => i.name);
  return names.length === 1 ? [{ output: 'gradient', input: names[0] }] : names.map((input) => ({ output: `gradient_${input}`, input }));
}

/** What the request asked of the answer: its outputs (each JSON or binary), their datatype (the
 *  predictions'), and the regularization parameters' shape. */
export interface AnswerSpec {
  datatype: 'FP32' | 'FP64';
  outputs: { name: OutputName; binary: boolean }[];
  regularizationShape: number[] | null;
}

/** A kernel phase about to run: the mean's denominator and where it writes its outputs. */
export interface KernelOutputs {
  denominator: number;
  perSample: FloatArray | null;
  gradient: FloatArray | null;
  gradients: Record<string, FloatArray>;
}

/** A request's tensors while its body is still arriving (a large binary v2 request): the pool
 *  checks and computes each range of units as soon as its elements are in, instead of after the
 *  last byte. The transport fills the arrays in order and tells how far. */
export interface TensorArrival {
  /** Resolves once the first `units` units (elements, or rows for row losses) of every array the
   *  task reads are in; rejects with the body's failure if they never will be. */
  until(units: number): Promise<void>;
  /** Resolves when the whole body is in; rejects with why it never will be. */
  readonly complete: Promise<void>;
}

/** A split request's kernel phase as it runs (the pool tells it; a streamed answer listens). */
export interface KernelProgress {
  /** The checks passed: the kernel phase starts, writing into these outputs. */
  start(outputs: KernelOutputs): void;
  /** Every element of the first input before `elements` has its gradient (and its units their
   *  per-sample values). */
  done(elements: number): void;
}
