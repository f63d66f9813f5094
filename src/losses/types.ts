// The contract every loss module fulfils. A loss is one file that exports a `LossDefinition`;
// `registry.ts` lists them, and the routes, the catalog endpoint and the OpenAPI document are all
// generated from these declarations, so adding a loss is adding one file and its golden cases.
import type { z } from 'zod';
import type { Random, Sample } from './samples.ts';
import type { LibraryNames } from './names.ts';

/** Real-valued tensor data, flat and row-major. JSON requests decode to Float64Array; binary
 *  FP32 requests stay Float32Array. Kernels read either and always accumulate in float64. */
export type FloatArray = Float64Array | Float32Array;

/** Target data: floats, or class indices (held as float64 from JSON, int32 from binary). */
export type TargetArray = Float64Array | Float32Array | Int32Array;

/** PyTorch's reductions (batchmean: kl_div's) and Keras's (the `keras.*` losses). `none` answers
 *  the per-sample values alone. */
export type Reduction = 'mean' | 'sum' | 'batchmean' | 'sum_over_batch_size' | 'mean_with_sample_weight' | 'none';

/** What the kernel iterates over and what `per_sample` holds.
 *  - `elementwise`: one value per element of `predictions` (any rank).
 *  - `rows`: `predictions` is [N, C]; one value per row.
 *  - `sequences`: the first input is time-major [T, N, C] (or unbatched [T, C]), as PyTorch's
 *    recurrent and CTC functions take it; the kernel sees it sample-major, [N, T, C] (one row of
 *    T·C elements per sequence), and the gradient is moved back. One value per sequence. */
export type SampleLayout = 'elementwise' | 'rows' | 'sequences';

/** Whether the kernel runs over rows (one unit per row or sequence) rather than elements. */
export const byRows = (def: { tensors: { layout: SampleLayout } }) => def.tensors.layout !== 'elementwise';

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
   *  shape unless declared `free` (ctc's targets and lengths); empty for two-input losses. Also
   *  what the loss's `derive` computed from them. */
  extra: Record<string, FloatArray>;
  /** The shapes of the first input and of the `free` extra inputs, as the request sent them (the
   *  kernel may see the first one rearranged). */
  sentShapes?: Record<string, number[]>;
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
  /** The request's reduction, for the one loss whose mean is not Σ per_sample / denominator
   *  (ctc divides each sample by its target length first): its kernel returns the sum to divide. */
  reduction: Reduction;
  /** Filled by the SIMD kernels, which check the gradient for elements that are not finite (in
   *  its datatype) while it is still in the module's memory: how many elements they checked, and
   *  the first bad one's index (−1: none). kernelBlocks scans what they did not check. */
  gradientChecked?: { count: number; first: number };
  /** Set by a coupled kernel whose value is a vector (scikit-learn's multioutput="raw_values": one
   *  value per output); the kernel's returned sum is then not the value. */
  values?: Float64Array | null;
  /** Set by a coupled kernel that finds, computing, that the request has no answer (a score
   *  scikit-learn returns as NaN): the request is refused with it. */
  problem?: InputProblem | null;
}

/** A tensor input of a loss, by the name requests give it. */
export interface TensorInput {
  name: string;
  /** Another name a request may give it: the library's own argument name (Keras's y_pred, y_true). */
  alsoNamed?: string;
  /** Whether the answer carries the value's gradient with respect to it. */
  differentiable: boolean;
  description: string;
  /** An extra input's shape: the first input's (default), or also that shape with its last
   *  dimension 1 or without it (gaussian_nll's var: one value per row, broadcast along it), or
   *  `free`: whatever the loss's `checkParams` accepts (ctc's targets and lengths). */
  shape?: 'same' | 'same-or-per-row' | 'free';
  /** Values must be ≥ 0 (gaussian_nll's var): checked as sent, naming the first negative. */
  nonNegative?: boolean;
  /** Integers (lengths, labels): INT64 or INT32 on v2, or floats that hold integers; the first
   *  element that is not one is named. The kernel reads them as float64. */
  integer?: boolean;
  /** 'logits': the answer's gradient is PyTorch's for an input of log-probabilities (each row
   *  along the last axis a log-softmax): the gradient with respect to the logits behind them, not
   *  with respect to the values themselves (ctc). */
  gradientConvention?: 'logits';
  /** The request may leave it out (Keras's sample_weight). */
  optional?: boolean;
  /** Class labels as scikit-learn takes them: numbers, booleans or strings (JSON strings, v2
   *  BYTES); the loss's `arrange` reads them from the sent tensor's `labels`. */
  labels?: boolean;
  /** What the v2 model metadata declares for it when not the loss's usual (FP64, the first
   *  input's shape): the most common datatype and shape, −1 for free dimensions, and the rest. */
  metadata?: { datatype: 'FP64' | 'INT64' | 'BYTES'; shape: number[]; accepts: string };
}

/** Why a request cannot be computed, found by a loss's own checks. The validation layer turns
 *  it into a 400 from the error catalog. `index` is the flat row-major index of the first bad
 *  element of `field`. */
export interface InputProblem {
  code:
    | 'shape_mismatch'
    | 'target_out_of_domain'
    | 'prediction_out_of_domain'
    | 'class_index_out_of_range'
    | 'invalid_params'
    | 'invalid_tensor'
    | 'undefined_mean'
    /** An output the loss cannot give for this request (include: per_sample of a median). */
    | 'invalid_body'
    /** Well formed, but the value is infinite (ctc: no alignment exists): 422. */
    | 'result_not_finite';
  /** Absent when no one field is at fault (a weighted mean whose weights add up to 0). */
  field?: string;
  detail: string;
  index?: number;
}

/** What the catalog, the OpenAPI descriptions and the docs say of a loss: the same text for all. */
export interface LossDocs {
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
}

/** What tensors a loss takes, and how they become the kernel's units (elements or rows). */
export interface LossTensors<P> {
  /** The tensor inputs by name and in v2 order, when they are not `predictions` and `targets`:
   *  the first one fills the kernel's `predictions` slot, `targetInput` the `targets` slot, and
   *  the others arrive in `input.extra`, each of the first one's shape. */
  inputs?: readonly TensorInput[];
  /** The input that fills the targets slot (default `targets`); null: the loss has none. */
  targetInput?: string | null;
  layout: SampleLayout;
  targetLayout: TargetLayout;
  /** The other shapes PyTorch takes. Row losses: `unbatched`, predictions [C] with a rank-0 class
   *  index or [C] probabilities; `indexOfOne`, unbatched with a class index of shape [1] too
   *  (per_sample [1], as PyTorch's multi_margin_loss); `scalar`, rank-0 predictions, one sample of
   *  one class; `spatial`, predictions [N, C, d1, …, dk] (class axis 1) with targets
   *  [N, d1, …, dk] or of the predictions' shape. Elementwise losses: `broadcastTargets`, targets
   *  of any shape that broadcasts to the predictions' (numpy's rules, as PyTorch's (x − y)²). */
  shapes?: { unbatched?: boolean; indexOfOne?: boolean; scalar?: boolean; spatial?: boolean; broadcastTargets?: boolean };
  /** Parameters that broadcast to the predictions' shape (numpy's rules); the kernel reads element
   *  i's value at i % length (validation/broadcastParams.ts). */
  broadcastParams?: readonly string[];
  /** How the request's tensors become the kernel's rows, for a loss whose shape rules are its own
   *  (Keras's: squeeze_or_expand, broadcasting, sample_weight): replaces the built-in rules of
   *  `layout`/`targetLayout`. Throws nothing: a problem is returned. */
  arrange?(sent: SentTensors, params: P, reduction: Reduction): Arrangement | InputProblem;
  /** Every row's value depends on every row (circle's pairwise similarities): the kernel runs
   *  over all rows at once, in one block, and a request is never split across workers. */
  coupledRows?: boolean;
}

/** The checks a request passes before its kernel runs, and what its mean divides by. */
export interface LossChecks<P> {
  /** O(1) checks of the parameters against the shapes (lengths of vector parameters, ...): on
   *  the main thread, before any compute. Returns the first problem or null. */
  checkParams?(input: KernelInput<P>): InputProblem | null;
  /** Arrays the kernel reads that follow from the inputs once they are checked (ctc: where each
   *  sample's labels start in concatenated targets): computed once on the main thread, O(N),
   *  and added to `input.extra` under these names. */
  derive?(input: KernelInput<P>): Record<string, Float64Array>;
  /** Domain checks of the data in units [lo, hi) (elements, or rows): target and prediction
   *  domains, class ranges. They run where the kernel runs, in parallel for large requests. */
  checkData?(input: KernelInput<P>, lo: number, hi: number): InputProblem | null;
  /** What units [lo, hi) add to the `mean` denominator when it depends on the data (class
   *  weights, ignored targets). Default: hi - lo, one per per_sample value. */
  meanDenominator?(input: KernelInput<P>, lo: number, hi: number): number;
  /** A denominator fixed by the shapes instead (kl_div's batchmean: the first dimension), or null. */
  fixedDenominator?(input: KernelInput<P>, reduction: Reduction): number | null;
  /** Outputs the loss cannot give for these parameters (a median has no per-sample terms, a count
   *  no gradient, a vector of values no one gradient): the refusal, or null. */
  refuseOutputs?(params: P, want: { perSample: boolean; gradient: boolean }): InputProblem | null;
}

/** How the loss is shown and exercised: its picture, random requests, the docs' example. */
export interface LossDemo {
  /** How to draw the loss along one axis (GET /losses/{name}/plot.svg): see plotSlices.ts. */
  plot: PlotSlice;
  /** A random valid request away from the loss's kinks (samples.ts): what the gradient test
   *  checks against finite differences and the fuzz starts from. */
  sample(r: Random): Sample;
  /** A small request for the docs' example and the catalog. */
  example: { predictions?: unknown[]; targets?: unknown[]; inputs?: Record<string, unknown>; params?: Record<string, unknown> };
}

/** A loss that computes the same quantity in another library's convention (POST /check tries it
 *  beside the named loss), with the parameters that make it so. */
export interface RelatedLoss {
  loss: string;
  params?: Record<string, unknown>;
}

/** How POST /check relates a loss to the others (src/check/). */
export interface LossCheck {
  /** The losses of the other conventions with the same meaning. */
  related?: readonly RelatedLoss[];
  /** The hypotheses (src/check/hypotheses/) that apply to it besides those that apply to every
   *  loss. */
  hypotheses?: readonly string[];
}

/** A loss: who it is, what it says of itself (`docs`), what it takes (`tensors`, `reductions`,
 *  `params`), what it checks (`checks`), what it computes (`kernel`) and how it is shown and
 *  exercised (`demo`). */
export interface LossDefinition<P = unknown> {
  name: string;
  aliases: readonly string[];
  /** The folder it lies in: PyTorch's losses by kind, Keras's (`keras.*`) apart. */
  family: 'regression' | 'binary' | 'multiclass' | 'keras' | 'sklearn';
  /** Its names in the library it follows (PyTorch's function and nn class, Keras's function and
   *  class): requests may name the loss by any of them, bare or qualified (names.ts). */
  libraryNames?: LibraryNames;
  docs: LossDocs;
  tensors: LossTensors<P>;
  /** The reductions it accepts, the first the default, when not PyTorch's mean, sum and none
   *  (kl_div adds batchmean; Keras's losses take Keras's five). */
  reductions?: readonly Reduction[];
  /** Parameters: a strict zod object whose defaults are the spec's. */
  params: z.ZodType<P>;
  checks?: LossChecks<P>;
  /** Forward and backward in one pass over units [lo, hi) (elements or rows): writes per_sample
   *  and gradient when asked and returns Σ per_sample over the range. Pure; float64 maths. */
  kernel(input: KernelInput<P>, lo: number, hi: number, out: KernelOutput): number;
  /** Where `kernel` runs WebAssembly SIMD (simd/kernels.c) for some or all requests: the same
   *  formula in scalar JavaScript, its reference (test/simdKernels.test.ts holds one to the other). */
  scalarKernel?(input: KernelInput<P>, lo: number, hi: number, out: KernelOutput): number;
  demo: LossDemo;
  /** What POST /check tries beside it. */
  check?: LossCheck;
}

/** Which of per_sample and gradient the loss gives for these parameters (both, unless its
 *  `checks.refuseOutputs` refuses one: a median has no per-sample terms, raw_values no gradient). */
export function outputsGiven<P>(def: LossDefinition<P>, params: P): { perSample: boolean; gradient: boolean } {
  const gives = (want: { perSample: boolean; gradient: boolean }) => (def.checks?.refuseOutputs?.(params, want) ?? null) === null;
  return { perSample: gives({ perSample: true, gradient: false }), gradient: gives({ perSample: false, gradient: true }) };
}

/** Whether the request field `name` (the input's name or its library's) is a label input of the
 *  loss (TensorInput.labels): its strings and booleans are kept for the loss to read. */
export function isLabelInput(def: LossDefinition, name: string): boolean {
  return tensorInputs(def).some((i) => i.labels === true && (i.name === name || i.alsoNamed === name));
}

/** A loss's tensor inputs: its declaration's, else predictions (differentiable) and targets. */
export function tensorInputs(def: LossDefinition): readonly TensorInput[] {
  return (
    def.tensors.inputs ?? [
      { name: 'predictions', differentiable: true, description: def.docs.predictions },
      { name: 'targets', differentiable: false, description: def.docs.targets },
    ]
  );
}

/** Which input fills which kernel slot (see LossDefinition.inputs). */
export function kernelSlots(def: LossDefinition): KernelSlots {
  let slots = slotsOf.get(def);
  if (slots === undefined) {
    const inputs = tensorInputs(def);
    const targets = def.tensors.targetInput === undefined ? 'targets' : def.tensors.targetInput;
    slots = { predictions: inputs[0].name, targets, extra: inputs.slice(1).filter((i) => i.name !== targets) };
    slotsOf.set(def, slots);
  }
  return slots;
}

type KernelSlots = { readonly predictions: string; readonly targets: string | null; readonly extra: readonly TensorInput[] };
/** Each loss's slots, worked out once (every request asks several times). */
const slotsOf = new WeakMap<LossDefinition, KernelSlots>();

/** The example request's tensors by input name. */
export function exampleInputs(def: LossDefinition): Record<string, unknown> {
  return def.demo.example.inputs ?? { predictions: def.demo.example.predictions, targets: def.demo.example.targets };
}

/** A one-dimensional slice of a loss for its picture: the x-axis (a residual, a margin, a
 *  predicted probability), its default range, and the one-sample request at each x with
 *  d(prediction_i)/dx for every element of the first input, and of the other differentiable
 *  inputs that move with x (`dExtra`): the chain rule gives d loss / dx. */
export interface PlotSlice {
  axis: 'residual' | 'margin' | 'probability' | 'prediction';
  label: string;
  range: [number, number];
  at(x: number): { predictions: NestedNumbers; targets: NestedNumbers; dPredictions: number[]; extra?: Record<string, NestedNumbers>; dExtra?: Record<string, number[]> };
}

/** The request's tensors by input name, as sent; a label input's strings and booleans in `labels`
 *  (validation/decodeJsonTensor.ts). */
export type SentTensors = Record<string, { data: FloatArray | TargetArray; shape: number[]; labels?: readonly (string | number | boolean)[] } | undefined>;

/** What a loss's `arrange` makes of the request: the kernel's view ([rows, cols] and the data in
 *  that order), the answer's shapes, and how the per-sample values are weighted and reduced. */
export interface Arrangement {
  /** The kernel's shape: [rows, …], one per-sample value per row of the rest's elements. */
  shape: number[];
  predictions: FloatArray;
  targets: TargetArray;
  targetsAreIndices: boolean;
  /** Arrays the kernel reads besides (Keras: `unit_weight`, each row's weight). */
  extra: Record<string, FloatArray>;
  /** The answer's shapes: the gradient (the predictions' as sent) and the per-sample values. */
  shapes: { gradient: number[]; perSample: number[]; value?: number[] };
  /** Set when the kernel reads the predictions with two axes swapped (pool/taskArrays.ts). */
  transpose: { outer: number; a: number; b: number; inner: number } | null;
  /** The reduction's denominator, fixed by the shapes and weights (null: Σ of meanDenominator). */
  denominator: number | null;
  /** The per-sample answer when it is not the kernel's row values as they are: element k is
   *  weights[k]·v[index[k]] (Keras's values times sample_weight, broadcast together). */
  weighting: { index: Int32Array; weights: Float64Array } | null;
}

/** A tensor as JSON writes it: a bare number (rank 0) or nested arrays. */
export type NestedNumbers = number | NestedNumbers[];

/** Identity helper that keeps the params type of a loss declaration. */
export function defineLoss<P>(definition: LossDefinition<P>): LossDefinition<P> {
  return definition;
}
