// What a reference (or a variant of it) answers for the request's inputs: value, per-sample
// values and one gradient per differentiable input, computed by the kernels exactly as POST /loss
// computes them, in float64.
import { ServiceError } from '../errors/catalog.ts';
import { outputsGiven, tensorInputs, type FloatArray, type LossDefinition, type Reduction } from '../losses/types.ts';
import { prepareLossTask, slotTensors } from '../validation/prepareLossTask.ts';
import { parseLossParams } from '../validation/lossParams.ts';
import type { LossResult, LossTask } from '../task/lossTask.ts';

export interface Tensor {
  data: Float64Array;
  shape: number[];
  /** Class labels as sent (scikit-learn's strings and booleans: TensorInput.labels). */
  labels?: readonly (string | number | boolean)[];
}

export interface Outputs {
  value?: number;
  /** What the mean divided by (1 for sum). */
  denominator?: number;
  perSample?: Tensor;
  /** By input name; absent when the variant cannot give it (swapped arguments). */
  gradients?: Record<string, Tensor>;
}

/** Runs a task (the pool's inline path: small requests). */
export type Compute = (task: LossTask) => LossResult;

/** The request's tensors by input name. */
export type Inputs = Record<string, Tensor>;

/** Reductions that divide Σ per-sample values (a mean of some kind). */
export const isMean = (r: Reduction) => r !== 'sum' && r !== 'none';

const copy = (t: Tensor): Tensor => ({ data: Float64Array.from(t.data), shape: [...t.shape], ...(t.labels === undefined ? {} : { labels: t.labels }) });
const f64 = (a: FloatArray | null | undefined, shape: number[]): Tensor | undefined => (a == null ? undefined : { data: Float64Array.from(a), shape });

/** `def` with `params` and `reduction` on `inputs`, or null where it refuses them (its domain,
 *  its shapes). Every output it gives is asked for; the inputs are copied (kernels may take them). */
export function runLoss(def: LossDefinition, params: Record<string, unknown>, reduction: Reduction, inputs: Inputs, compute: Compute): Outputs | null {
  try {
    const parsed = parseLossParams(def, params);
    const given = outputsGiven(def, parsed);
    const task = prepareLossTask({
      def,
      ...slotTensors(def, (name) => (inputs[name] === undefined ? undefined : copy(inputs[name]))),
      params: parsed,
      reduction,
      wantPerSample: given.perSample,
      wantGradient: reduction !== 'none' && given.gradient,
      regularization: null,
    });
    const result = compute(task);
    const names = tensorInputs(def).filter((i) => i.differentiable).map((i) => i.name);
    const gradients: Record<string, Tensor> = {};
    if (result.gradient !== null) {
      gradients[names[0]] = f64(result.gradient, task.shapes.gradient)!;
      for (const name of names.slice(1)) {
        const g = f64(result.gradients[name], task.shapes.inputs?.[name] ?? task.shapes.gradient);
        if (g !== undefined) gradients[name] = g;
      }
    }
    return {
      ...(reduction === 'none' ? {} : { value: result.value }),
      denominator: result.denominator,
      perSample: f64(result.perSample, task.shapes.perSample),
      ...(result.gradient === null ? {} : { gradients }),
    };
  } catch (err) {
    if (err instanceof ServiceError && err.status < 500) return null;
    throw err;
  }
}

/** Every output times `factor` (the gradients by `gradientFactor`). */
export function scaled(o: Outputs | null, factor: number, gradientFactor = factor): Outputs | null {
  if (o === null) return null;
  const times = (t: Tensor, f: number): Tensor => ({ data: t.data.map((v) => v * f), shape: t.shape });
  return {
    ...(o.value === undefined ? {} : { value: o.value * factor }),
    denominator: o.denominator,
    ...(o.perSample === undefined ? {} : { perSample: times(o.perSample, factor) }),
    ...(o.gradients === undefined ? {} : { gradients: Object.fromEntries(Object.entries(o.gradients).map(([k, g]) => [k, times(g, gradientFactor)])) }),
  };
}
