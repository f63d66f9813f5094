// Runs a loss task in three phases over fixed-size blocks:
//   checkBlocks  converts raw targets, checks finiteness and the loss's domain, and adds up each
//                block's share of the mean's denominator;
//   kernelBlocks runs the kernel (forward and backward) and returns each block's sum;
//   finishLoss   reduces the block sums in order, adds the regularization, checks for overflow.
// computeLoss chains them over the whole task (inline, or in one worker); a large request runs
// each phase on several workers, each over a range of blocks (lossPool.ts). The blocks and the
// order of every float64 sum are the same either way, so every path gives the same bits.
import { findLoss } from '../losses/registry.ts';
import { regularize } from '../losses/regularization.ts';
import { spans } from '../losses/checks.ts';
import { firstNonFinite } from '../losses/math.ts';
import { byRows, kernelSlots, type FloatArray, type InputProblem, type KernelInput, type KernelOutput, type LossDefinition, type TargetArray } from '../losses/types.ts';
import type { KernelOutputs, LossResult, LossTask } from '../task/lossTask.ts';
import { requestIndex } from '../losses/layout.ts';
import { outputLike } from './taskArrays.ts';

/** Elements per block: each block's sum is taken, then the block sums are added in order. */
export const BLOCK_ELEMENTS = 16384;

const MAX_EXACT = 2 ** 53;

export function definitionOf(task: LossTask): LossDefinition {
  const def = findLoss(task.loss);
  if (def === undefined) throw new Error(`unknown loss ${task.loss}`);
  return def;
}

/** Units (elements, or rows for row losses) and the elements of the first input in each
 *  (input.cols: 1 for elementwise losses), units per block, and the number of blocks. */
export function blockLayout(def: LossDefinition, input: KernelInput<unknown>): { units: number; block: number; blocks: number } {
  const units = byRows(def) ? input.rows : input.predictions.length;
  const block = def.tensors.coupledRows ? Math.max(1, units) : Math.max(1, Math.floor(BLOCK_ELEMENTS / input.cols));
  return { units, block, blocks: Math.ceil(units / block) };
}

/** A float64 output, whatever the predictions' datatype (outputLike's `like`). */
const FLOAT64 = new Float64Array(0);



/** Converts raw targets [from, to) into the float64 targets the kernels read. */
export function convertTargets(raw: BigInt64Array | Uint8Array, out: TargetArray, from: number, to: number): InputProblem | null {
  if (raw instanceof BigInt64Array) {
    for (let i = from; i < to; i++) {
      const v = Number(raw[i]);
      if (v > MAX_EXACT || v < -MAX_EXACT) return { code: 'invalid_tensor', field: 'targets', index: i, detail: `input 'targets': element ${i} (${raw[i]}) is too large for an exact float64` };
      out[i] = v;
    }
  } else {
    for (let i = from; i < to; i++) {
      const b = raw[i];
      if (b > 1) return { code: 'invalid_tensor', field: 'targets', index: i, detail: `input 'targets': BOOL element ${i} is byte ${b}; it must be 0 or 1` };
      out[i] = b;
    }
  }
  return null;
}

/** Element i of data is not finite; `index` is where the request has it (when the kernel reads it transposed). */
const notFinite = (field: string, data: FloatArray | TargetArray, i: number, index = i): InputProblem => ({
  code: 'invalid_tensor',
  field,
  index,
  detail: `input '${field}': element ${index} is ${data[i]}; tensors must hold finite numbers`,
});

export interface CheckResult {
  problem: InputProblem | null;
  /** Each block's share of the mean's denominator. */
  denominators: Float64Array;
}

export function checkBlocks(task: LossTask, b0: number, b1: number): CheckResult {
  const def = definitionOf(task);
  const { input } = task;
  const { units, block } = blockLayout(def, input);
  const denominators = new Float64Array(Math.max(0, b1 - b0));
  // The first input by its own name (anchor, log_probs, …); the others of its shape, checked with
  // it (`free` ones were checked whole, prepareLossTask.ts).
  const slots = kernelSlots(def);
  const sameShapeExtras = slots.extra.filter((i) => i.shape !== 'free');
  for (let b = b0; b < b1; b++) {
    const lo = b * block;
    const hi = Math.min(units, lo + block);
    const s = spans(input, lo, hi);
    let problem: InputProblem | null = null;
    if (task.rawTargets !== null) problem = convertTargets(task.rawTargets, input.targets, s.targFrom, s.targTo);
    if (problem === null && task.checkFinite) {
      const p = firstNonFinite(input.predictions, s.predFrom, s.predTo);
      // A loss that arranges its own shapes had its targets checked whole (prepareLossTask.ts).
      const t = p < 0 && task.rawTargets === null && input.targets.length > 0 && def.tensors.arrange === undefined ? firstNonFinite(input.targets, s.targFrom, s.targTo) : -1;
      // Named where the request has it (the kernel may read the first input transposed).
      if (p >= 0) problem = notFinite(slots.predictions, input.predictions, p, task.transpose === null ? p : requestIndex(task.transpose, p));
      else if (t >= 0) problem = notFinite('targets', input.targets, t);
      for (const { name } of sameShapeExtras) {
        if (problem !== null) break;
        const data = input.extra[name];
        const e = firstNonFinite(data, s.predFrom, s.predTo);
        if (e >= 0) problem = notFinite(name, data, e);
      }
    }
    problem ??= def.checks?.checkData?.(input, lo, hi) ?? null;
    if (problem !== null) return { problem, denominators };
    denominators[b - b0] = def.checks?.meanDenominator ? def.checks?.meanDenominator(input, lo, hi) : hi - lo;
  }
  return { problem: null, denominators };
}

/** The reduction's denominator from the blocks' shares, added in block order; a problem if a mean has none. */
export function denominatorOf(task: LossTask, shares: Float64Array[]): { denominator: number; problem: InputProblem | null } {
  if (task.reduction === 'sum' || task.reduction === 'none') return { denominator: 1, problem: null };
  // Fixed by the loss's own arrangement (Keras's): 0 is divide-no-nan, a value of 0.
  if (task.denominator !== undefined && task.denominator !== null) return { denominator: task.denominator, problem: null };
  const fixed = definitionOf(task).checks?.fixedDenominator?.(task.input, task.reduction) ?? null;
  let d = 0;
  if (fixed !== null) d = fixed;
  else for (const part of shares) for (let i = 0; i < part.length; i++) d += part[i];
  // Class weights may be negative (PyTorch divides by their sum whatever its sign); only 0 has no mean.
  if (d !== 0) return { denominator: d, problem: null };
  if (task.input.predictions.length === 0) {
    const first = kernelSlots(definitionOf(task)).predictions;
    return {
      denominator: d,
      problem: { code: 'undefined_mean', field: first, detail: `${first} is empty: reduction ${task.reduction} over an empty tensor is undefined (PyTorch returns NaN); use reduction sum, which gives 0` },
    };
  }
  return {
    denominator: d,
    problem: {
      code: 'undefined_mean',
      detail: `reduction ${task.reduction} is undefined here: its denominator is 0 (every target is ignore_index, or the targets' class weights add up to 0). PyTorch returns NaN or ±Infinity; use reduction sum`,
    },
  };
}

export interface KernelResult {
  sums: Float64Array;
  /** A coupled kernel's vector value, and its refusal (KernelOutput.values, .problem). */
  values?: Float64Array | null;
  problem?: InputProblem | null;
  /** The first non-finite gradient element in the range: which gradient ('gradient', or an
   *  extra input's name) and where; null if none. */
  nonFinite: { field: string; index: number } | null;
}

export function kernelBlocks(
  task: LossTask,
  b0: number,
  b1: number,
  gradScale: number,
  perSample: FloatArray | null,
  gradient: FloatArray | null,
  gradients: Record<string, FloatArray | null> = {},
): KernelResult {
  const def = definitionOf(task);
  const { input } = task;
  const { units, block } = blockLayout(def, input);
  // The SIMD kernels check the gradient as they write it (KernelOutput.gradientChecked).
  const checked = { count: 0, first: -1 };
  const out: KernelOutput = { perSample, gradient, gradScale, gradients, reduction: task.reduction, gradientChecked: checked, values: null, problem: null };
  const sums = new Float64Array(Math.max(0, b1 - b0));
  for (let b = b0; b < b1; b++) {
    const lo = b * block;
    sums[b - b0] = def.kernel(input, lo, Math.min(units, lo + block), out);
    if (out.problem) return { sums, nonFinite: null, problem: out.problem };
  }
  if (out.values) return { sums, values: out.values, ...nonFiniteIn(gradient, gradients) };
  // The gradient elements of these blocks: predictions' span of units [b0·block, b1·block).
  const from = b0 * block * input.cols;
  const to = Math.min(units, b1 * block) * input.cols;
  for (const [field, g] of [['gradient', gradient] as const, ...Object.entries(gradients)]) {
    if (g === null || b1 <= b0) continue;
    const index = field === 'gradient' && checked.count === to - from ? checked.first : firstNonFinite(g, from, to);
    if (index >= 0) return { sums, nonFinite: { field, index } };
  }
  return { sums, nonFinite: null };
}

/** The first non-finite element of the gradients (a coupled kernel's, which checks none itself). */
function nonFiniteIn(gradient: FloatArray | null, gradients: Record<string, FloatArray | null>): { nonFinite: KernelResult['nonFinite'] } {
  for (const [field, g] of [['gradient', gradient] as const, ...Object.entries(gradients)]) {
    if (g === null) continue;
    const index = firstNonFinite(g, 0, g.length);
    if (index >= 0) return { nonFinite: { field, index } };
  }
  return { nonFinite: null };
}

export function finishLoss(
  task: LossTask,
  denominator: number,
  sums: Float64Array[],
  perSample: FloatArray | null,
  gradient: FloatArray | null,
  gradients: Record<string, FloatArray>,
  nonFiniteGradient: { field: string; index: number } | null,
  values: Float64Array | null = null,
): LossResult {
  if (values !== null) {
    // A vector value (raw_values): each element must be a number JSON can carry.
    const bad = firstNonFinite(values, 0, values.length);
    const nonFinite = bad >= 0 ? { field: 'value', index: bad } : (nonFiniteGradient ?? null);
    return { value: Number.NaN, values, denominator, perSample, gradient, gradients, parametersGradient: null, nonFinite, problem: null };
  }
  let total = 0;
  for (const part of sums) for (let i = 0; i < part.length; i++) total += part[i];
  let value = denominator === 1 ? total : denominator === 0 ? 0 : total / denominator;
  let parametersGradient: Float64Array | null = null;
  if (task.regularization !== null) {
    const r = regularize(task.regularization);
    value += r.penalty;
    parametersGradient = r.gradient;
  }
  // The answer keeps the predictions' datatype: FP32 predictions get float32 outputs, which
  // overflow from 2^128 − 2^103 (Math.fround gives ∞) where float64 still holds the number.
  const float32 = task.input.predictions instanceof Float32Array;
  const holds = (v: number) => Number.isFinite(float32 ? Math.fround(v) : v);
  // A finite float64 sum has finite terms; float32 per-sample values are searched either way.
  const badSample = perSample !== null && (float32 || !Number.isFinite(value)) ? firstNonFinite(perSample, 0, perSample.length) : -1;
  let nonFinite: LossResult['nonFinite'] = null;
  if (!holds(value)) {
    nonFinite = { ...(badSample >= 0 ? { field: 'per_sample', index: badSample } : { field: 'value' }), float32: Number.isFinite(value) };
  } else if (badSample >= 0) {
    nonFinite = { field: 'per_sample', index: badSample, float32 };
  } else if (nonFiniteGradient !== null) {
    nonFinite = { ...nonFiniteGradient, float32 };
  } else if (float32 && parametersGradient !== null && !parametersGradient.every(holds)) {
    nonFinite = { field: 'parameters_gradient', index: parametersGradient.findIndex((v) => !holds(v)), float32 };
  }
  return { value, denominator, perSample, gradient, gradients, parametersGradient, nonFinite, problem: null };
}

export const refused = (problem: InputProblem): LossResult => ({ value: NaN, denominator: NaN, perSample: null, gradient: null, gradients: {}, parametersGradient: null, nonFinite: null, problem });

/** A step of the phase chain: run one phase over each range of blocks. */
export type PhaseStep =
  | { phase: 'check'; ranges: readonly (readonly [number, number])[] }
  | {
      phase: 'kernel';
      ranges: readonly (readonly [number, number])[];
      /** What the reduction divides by (1 for sum): known once the checks passed. */
      denominator: number;
      gradScale: number;
      perSample: FloatArray | null;
      gradient: FloatArray | null;
      gradients: Record<string, FloatArray>;
    };

/** `parts` ranges of blocks, as even as the blocks allow (at least one). */
export function phaseRanges(task: LossTask, parts: number): [number, number][] {
  const { blocks } = blockLayout(definitionOf(task), task.input);
  const k = Math.max(1, Math.min(parts, blocks));
  const ranges: [number, number][] = [];
  for (let i = 0; i < k; i++) ranges.push([Math.floor((i * blocks) / k), Math.floor(((i + 1) * blocks) / k)]);
  return ranges;
}

/** The first refusal of the check phase (in range order), or the mean's denominator. */
export function afterChecks(task: LossTask, checks: CheckResult[]): { problem: InputProblem } | { problem: null; denominator: number } {
  const failed = checks.find((c) => c.problem !== null);
  if (failed !== undefined) return { problem: failed.problem! };
  const { denominator, problem } = denominatorOf(task, checks.map((c) => c.denominators));
  return problem !== null ? { problem } : { problem: null, denominator };
}

/** The kernel phase's step: its scale and its outputs (allocated here, or reused from `outputs`). */
export function kernelStep(
  task: LossTask,
  ranges: PhaseStep['ranges'],
  denominator: number,
  allocateShared?: (bytes: number) => SharedArrayBuffer,
  outputs?: Pick<KernelOutputs, 'perSample' | 'gradient' | 'gradients'>,
): Extract<PhaseStep, { phase: 'kernel' }> {
  const gradScale = denominator === 0 ? 0 : 1 / denominator;
  if (outputs !== undefined) return { phase: 'kernel', ranges, denominator, gradScale, ...outputs };
  const { units } = blockLayout(definitionOf(task), task.input);
  // Outputs in the predictions' datatype, but those that are worked on after the kernel (per-sample
  // values weighted, per-row gradients summed: lossTask.ts) stay float64 until then, so that an
  // FP32 answer is its float64 result rounded once.
  const like = task.input.predictions;
  const perSample = task.wantPerSample ? outputLike((task.weighting ?? null) === null ? like : FLOAT64, units, allocateShared) : null;
  const gradient = task.wantGradient ? outputLike(like, like.length, allocateShared) : null;
  // One gradient per differentiable input beyond the first (margin_ranking's input2, ...).
  const gradients: Record<string, FloatArray> = {};
  if (task.wantGradient) {
    for (const input of kernelSlots(definitionOf(task)).extra) {
      if (input.differentiable) gradients[input.name] = outputLike(task.perRowInputs?.includes(input.name) ? FLOAT64 : like, like.length, allocateShared);
    }
  }
  return { phase: 'kernel', ranges, denominator, gradScale, perSample, gradient, gradients };
}

/** The result from the kernel phase's ranges: a refusal, or the reduction in block order. */
export function afterKernels(task: LossTask, step: Extract<PhaseStep, { phase: 'kernel' }>, kernels: KernelResult[]): LossResult {
  const refusal = kernels.find((r) => r.problem)?.problem;
  if (refusal) return refused(refusal);
  const nonFinite = kernels.find((r) => r.nonFinite !== null)?.nonFinite ?? null;
  return finishLoss(task, step.denominator, kernels.map((r) => r.sums), step.perSample, step.gradient, step.gradients, nonFinite, kernels.find((r) => r.values)?.values ?? null);
}

/** The phase chain, written once: checks (and the mean's denominator) over every range, then the
 *  kernel over every range, then the reduction in block order. It yields each phase and receives
 *  the ranges' results; runPhases drives it in this thread, the pool drives it across workers
 *  (lossPool.ts; a body still arriving is driven range by range from the same steps). `parts`
 *  ranges of blocks; `allocateShared` for outputs several workers write. */
export function* phaseChain(task: LossTask, parts: number, allocateShared?: (bytes: number) => SharedArrayBuffer): Generator<PhaseStep, LossResult, CheckResult[] | KernelResult[]> {
  const ranges = phaseRanges(task, parts);
  const checked = afterChecks(task, (yield { phase: 'check', ranges }) as CheckResult[]);
  if (checked.problem !== null) return refused(checked.problem);
  const step = kernelStep(task, ranges, checked.denominator, allocateShared);
  return afterKernels(task, step, (yield step) as KernelResult[]);
}

/** Runs one phase step over its ranges in this thread. */
export function runStep(task: LossTask, step: PhaseStep): CheckResult[] | KernelResult[] {
  return step.phase === 'check'
    ? step.ranges.map(([b0, b1]) => checkBlocks(task, b0, b1))
    : step.ranges.map(([b0, b1]) => kernelBlocks(task, b0, b1, step.gradScale, step.perSample, step.gradient, step.gradients));
}

/** The whole task in this thread: checks, kernel, reduction (outputs from `allocateShared` when
 *  given, as a large binary request's come from its buffer lease). */
export function computeLoss(task: LossTask, allocateShared?: (bytes: number) => SharedArrayBuffer): LossResult {
  const chain = phaseChain(task, 1, allocateShared);
  let next = chain.next();
  while (!next.done) next = chain.next(runStep(task, next.value));
  return next.value;
}
