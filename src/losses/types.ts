// The contract every loss module fulfils. A loss is one file that exports a `LossDefinition`;
// `registry.ts` lists them, and the routes, the catalog endpoint and the OpenAPI document are all
// generated from these declarations, so adding a loss is adding one file and its golden cases.
import type { z } from 'zod';

/** Real-valued tensor data, flat and row-major. JSON requests decode to Float64Array; binary
 *  FP32 requests stay Float32Array. Kernels read either and always accumulate in float64. */
export type FloatArray = Float64Array | Float32Array;

/** Target data: floats, or class indices (held as float64 from JSON, int32 from binary). */
export type TargetArray = Float64Array | Float32Array | Int32Array;

export type Reduction = 'mean' | 'sum' | 'batchmean';

/** What the kernel iterates over and what `per_sample` holds.
 *  - `elementwise`: one value per element of `predictions` (any rank).
 *  - `rows`: `predictions` is [N, C]; one value per row. */
export type SampleLayout = 'elementwise' | 'rows';

/** How `targets` relate to `predictions`, checked before any domain rule.
 *  - `same`: same shape as predictions.
 *  - `indices`: class indices of shape [N] for predictions [N, C].
 *  - `indices-or-same`: either of the two (cross_entropy: class indices or probabilities).
 *  - `none`: the loss has no targets (the triplet losses); the kernel's targets are empty. */
export type TargetLayout = 'same' | 'indices' | 'indices-or-same' | 'none';

/** Everything a kernel reads. Built once per request by the validation layer and sent to the
 *  worker as is (typed arrays by transfer), so it holds only structured-clonable data. */
export interface KernelInput<P> {
  predictions: FloatArray;
  targets: TargetArray;
  /** Shape of predictions. */
  shape: number[];
  /** For `rows` losses: N and C. For `elementwise` losses: rows = element count, cols = 1. */
  rows: number;
  cols: number;
  /** True when targets are class indices (for `indices-or-same` losses). */
  targetsAreIndices: boolean;
  /** Parameters after the loss's zod schema applied its defaults. */
  params: P;
  /** The loss's other tensor inputs by name (margin_ranking's input2), each of the predictions'
   *  shape; empty for two-input losses. */
  extra: Record<string, FloatArray>;
}

/** Where a kernel writes. `perSample`/`gradient` are null when the caller does not want them;
 *  the kernel then only accumulates the sum. `gradScale` is d(value)/d(Σ per_sample):
 *  1 for `sum`, 1/denominator for `mean`/`batchmean`. */
export interface KernelOutput {
  perSample: FloatArray | null;
  gradient: FloatArray | null;
  gradScale: number;
  /** The gradients with respect to the differentiable `extra` inputs, by name (null: not wanted). */
  gradients: Record<string, FloatArray | null>;
}

/** A tensor input of a loss, by the name requests give it. */
export interface TensorInput {
  name: string;
  /** Whether the answer carries the value's gradient with respect to it. */
  differentiable: boolean;
  description: string;
  /** An extra input's shape: the first input's (default), or also that shape with its last
   *  dimension 1 or without it (gaussian_nll's var: one value per row, broadcast along it). */
  shape?: 'same' | 'same-or-per-row';
  /** Values must be ≥ 0 (gaussian_nll's var): checked as sent, naming the first negative. */
  nonNegative?: boolean;
}

/** Why a request cannot be computed, found by a loss's own checks. The validation layer turns
 *  it into a 400 from the error catalog. `index` is the flat row-major index of the first bad
 *  element of `field`. */
export interface InputProblem {
  code: 'shape_mismatch' | 'target_out_of_domain' | 'prediction_out_of_domain' | 'class_index_out_of_range' | 'invalid_params' | 'invalid_tensor' | 'undefined_mean';
  /** Absent when no one field is at fault (a weighted mean whose weights add up to 0). */
  field?: string;
  detail: string;
  index?: number;
}

export interface LossDefinition<P = unknown> {
  name: string;
  aliases: readonly string[];
  family: 'regression' | 'binary' | 'multiclass';
  /** One line: what the loss is for. */
  summary: string;
  /** The per-element (or per-sample) formula, as in the spec table. */
  formula: string;
  /** How `mean` divides (the reduction rule), in words. */
  reductionRule: string;
  /** The reference implementation the golden vectors were computed with. */
  reference: string;
  /** What predictions and targets must be. */
  predictions: string;
  targets: string;
  /** The tensor inputs by name and in v2 order, when they are not `predictions` and `targets`:
   *  the first one fills the kernel's `predictions` slot, `targetInput` the `targets` slot, and
   *  the others arrive in `input.extra`, each of the first one's shape. */
  inputs?: readonly TensorInput[];
  /** The input that fills the targets slot (default `targets`); null: the loss has none. */
  targetInput?: string | null;
  layout: SampleLayout;
  targetLayout: TargetLayout;
  /** Row losses: the other shapes PyTorch takes. `unbatched`: predictions [C] with a rank-0
   *  class index or [C] probabilities; `spatial`: predictions [N, C, d1, …, dk] (class axis 1)
   *  with targets [N, d1, …, dk] or of the predictions' shape. */
  shapes?: { unbatched?: boolean; spatial?: boolean };
  /** Parameters that broadcast to the predictions' shape (numpy's rules); the kernel reads element
   *  i's value at i % length (validation/broadcastParams.ts). */
  broadcastParams?: readonly string[];
  /** Reductions the loss accepts besides mean and sum (only kl_div: batchmean). */
  extraReductions?: readonly Reduction[];
  /** Parameters: a strict zod object whose defaults are the spec's. */
  params: z.ZodType<P>;
  /** O(1) checks of the parameters against the shapes (lengths of vector parameters, ...): on
   *  the main thread, before any compute. Returns the first problem or null. */
  checkParams?(input: KernelInput<P>): InputProblem | null;
  /** Domain checks of the data in units [lo, hi) (elements, or rows): target and prediction
   *  domains, class ranges. They run where the kernel runs, in parallel for large requests. */
  checkData?(input: KernelInput<P>, lo: number, hi: number): InputProblem | null;
  /** What units [lo, hi) add to the `mean` denominator when it depends on the data (class
   *  weights, ignored targets). Default: hi - lo, one per per_sample value. */
  meanDenominator?(input: KernelInput<P>, lo: number, hi: number): number;
  /** A denominator fixed by the shapes instead (kl_div's batchmean: the first dimension), or null. */
  fixedDenominator?(input: KernelInput<P>, reduction: Reduction): number | null;
  /** Forward and backward in one pass over units [lo, hi) (elements or rows): writes per_sample
   *  and gradient when asked and returns Σ per_sample over the range. Pure; float64 maths. */
  kernel(input: KernelInput<P>, lo: number, hi: number, out: KernelOutput): number;
  /** How to draw the loss along one axis (GET /losses/{name}/plot.svg): see plotSlices.ts. */
  plot: PlotSlice;
  /** A small request for the docs' example and the catalog. */
  example: { predictions?: unknown[]; targets?: unknown[]; inputs?: Record<string, unknown>; params?: Record<string, unknown> };
}

/** A loss's tensor inputs: its declaration's, else predictions (differentiable) and targets. */
export function tensorInputs(def: LossDefinition): readonly TensorInput[] {
  return (
    def.inputs ?? [
      { name: 'predictions', differentiable: true, description: def.predictions },
      { name: 'targets', differentiable: false, description: def.targets },
    ]
  );
}

/** Which input fills which kernel slot (see LossDefinition.inputs). */
export function kernelSlots(def: LossDefinition): { predictions: string; targets: string | null; extra: readonly TensorInput[] } {
  const inputs = tensorInputs(def);
  const targets = def.targetInput === undefined ? 'targets' : def.targetInput;
  return { predictions: inputs[0].name, targets, extra: inputs.slice(1).filter((i) => i.name !== targets) };
}

/** The example request's tensors by input name. */
export function exampleInputs(def: LossDefinition): Record<string, unknown> {
  return def.example.inputs ?? { predictions: def.example.predictions, targets: def.example.targets };
}

/** A one-dimensional slice of a loss for its picture: the x-axis (a residual, a margin, a
 *  predicted probability), its default range, and the one-sample request at each x with
 *  d(prediction_i)/dx for every prediction element (the chain rule gives d loss / dx). */
export interface PlotSlice {
  axis: 'residual' | 'margin' | 'probability' | 'prediction';
  label: string;
  range: [number, number];
  at(x: number): { predictions: number[] | number[][]; targets: number[] | number[][]; dPredictions: number[]; extra?: Record<string, number[] | number[][]> };
}

/** Identity helper that keeps the params type of a loss declaration. */
export function defineLoss<P>(definition: LossDefinition<P>): LossDefinition<P> {
  return definition;
}
