// The losses as Open Inference Protocol models: lookup by name and version, the protocol's model
// metadata, Triton's model configuration (what tritonclient's get_model_config reads), the
// repository index, and per-model statistics in Triton's shape.
import { ServiceError } from '../../errors/catalog.ts';
import { losses } from '../../losses/registry.ts';
import { resolveLossName } from '../../validation/lossRequestNames.ts';
import { byRows, kernelSlots, tensorInputs, type LossDefinition, type TensorInput } from '../../losses/types.ts';
import { reductionsOf } from '../../validation/prepareLossTask.ts';
import { gradientOutputs } from '../../task/lossTask.ts';
import { admits, paramProperties, vectorParams } from '../../losses/describeParams.ts';

/** Whether a list parameter holds class labels: its items may be strings (scikit-learn's labels). */
function labelList(def: LossDefinition, name: string): boolean {
  const p = paramProperties(def)[name];
  return p !== undefined && [p, ...(p.anyOf ?? [])].some((q) => q.items !== undefined && admits(q.items, 'string'));
}

export const MODEL_VERSION = '1';

/** The protocol's platform is `<project>_<format>` and "information only": this project's own
 *  name, and the semantics its models follow (PyTorch's loss functions). */
export const PLATFORM = 'lossservice_pytorch';

export function modelOf(params: { model: string; version?: string }): LossDefinition {
  const def = resolveLossName(params.model, 'model');
  if (params.version !== undefined && params.version !== MODEL_VERSION) {
    throw new ServiceError('not_found', `model '${params.model}' has only version ${MODEL_VERSION}, not '${params.version}'`, { field: 'version' });
  }
  return def;
}

interface TensorMeta {
  name: string;
  datatype: string;
  shape: number[];
  /** Optional inputs: the class weights and the regularization's parameters. */
  optional?: boolean;
  /** What the declared datatype and shape leave out (the protocol gives each tensor one of each). */
  accepts?: string;
}

/** The metadata declares, per tensor, the datatype and shape most requests use; what else a
 *  tensor accepts is said in the model's `parameters` (`<tensor>.accepts`), which the protocol
 *  leaves to the server. */
export function modelMetadata(def: LossDefinition, name = def.name) {
  const rows = byRows(def);
  const predShape = rows ? [-1, -1] : [-1];
  const anyRank = 'any rank from 1 to 8 (shape [-1] declares rank 1)';
  const predAccepts = `FP32 or FP64; ${rows ? 'shape [N, C]' : anyRank}`;
  const targetAccepts =
    def.tensors.targetLayout === 'same'
      ? 'FP32, FP64, INT32, INT64 or BOOL; the shape of predictions'
      : def.tensors.targetLayout === 'indices'
        ? 'class indices [N]: INT64, INT32, FP32 or FP64 holding integers'
        : 'class indices [N] (INT64, INT32), or probabilities of the shape of predictions (FP32, FP64)';
  const slots = kernelSlots(def);
  const otherAccepts = (shape: TensorInput['shape']) =>
    shape === 'same-or-per-row' ? `FP32 or FP64; the shape of ${slots.predictions}, or one value per row (that shape with its last dimension 1, or without it)` : `FP32 or FP64; the shape of ${slots.predictions}`;
  const declared = tensorInputs(def).map((input): TensorMeta => ({
    ...(input.metadata !== undefined
      ? { name: input.name, ...input.metadata }
      : input.name === slots.targets
        ? { name: input.name, datatype: def.tensors.targetLayout === 'same' ? 'FP64' : 'INT64', shape: def.tensors.targetLayout === 'same' ? predShape : [-1], accepts: targetAccepts }
        : { name: input.name, datatype: 'FP64', shape: predShape, accepts: input.name === slots.predictions ? predAccepts : otherAccepts(input.shape) }),
    ...(input.optional ? { optional: true } : {}),
  }));
  const inputs: TensorMeta[] = [
    ...declared,
    // A list of class labels (scikit-learn's labels) may hold strings: BYTES, or BOOL and numbers.
    ...vectorParams(def).map((v) =>
      labelList(def, v)
        ? { name: v, datatype: 'BYTES', shape: [-1], optional: true, accepts: 'BYTES (strings), BOOL or numbers, optional: class labels' }
        : { name: v, datatype: 'FP64', shape: [-1], optional: true, accepts: 'FP32 or FP64, optional' },
    ),
    { name: 'parameters', datatype: 'FP64', shape: [-1], optional: true, accepts: 'FP32 or FP64, any shape, optional: the regularization\'s parameters (with the request parameters l1, l2)' },
  ];
  const outputs: TensorMeta[] = [
    { name: 'value', datatype: 'FP64', shape: [1] },
    { name: 'per_sample', datatype: 'FP64', shape: rows ? [-1] : predShape },
    ...gradientOutputs(def).map((g) => ({ name: g.output, datatype: 'FP64', shape: tensorInputs(def).find((i) => i.name === g.input)?.metadata?.shape ?? predShape })),
    { name: 'parameters_gradient', datatype: 'FP64', shape: [-1] },
  ];
  const parameters: Record<string, string> = Object.fromEntries(inputs.map((t) => [`${t.name}.accepts`, t.accepts ?? '']));
  parameters['outputs.datatype'] = 'the datatype of predictions (FP32 or FP64)';
  parameters['parameters_gradient.present'] = "only when the input 'parameters' is given";
  if (reductionsOf(def).includes('none')) parameters['outputs.reduction_none'] = 'with the request parameter reduction none, per_sample alone';
  return {
    name,
    versions: [MODEL_VERSION],
    platform: PLATFORM,
    inputs: inputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    outputs,
    parameters,
    optionalInputs: inputs.filter((i) => i.optional).map((i) => i.name),
  };
}

/** Triton's model configuration (model_config.proto as JSON): no batching dimension of its own
 *  (max_batch_size 0, so dims are the full shapes), TYPE_-prefixed datatypes. */
export function modelConfig(def: LossDefinition, name = def.name) {
  const meta = modelMetadata(def, name);
  const tensor = (t: { name: string; datatype: string; shape: number[] }) => ({ name: t.name, data_type: `TYPE_${t.datatype}`, dims: t.shape });
  return {
    name,
    platform: PLATFORM,
    backend: 'lossservice',
    version_policy: { latest: { num_versions: 1 } },
    max_batch_size: 0,
    input: meta.inputs.map((t) => ({ ...tensor(t), optional: meta.optionalInputs.includes(t.name) })),
    output: meta.outputs.map(tensor),
  };
}

export const repositoryIndex = () => losses.map((def) => ({ name: def.name, version: MODEL_VERSION, state: 'READY' as const }));

interface Counts {
  count: number;
  ns: number;
}

/** Triton's inference statistics for one model, kept since the service started. */
export class ModelStats {
  readonly #byModel = new Map<string, { success: Counts; fail: Counts; last: number }>();

  record(model: string, ok: boolean, ms: number): void {
    const entry = this.#byModel.get(model) ?? { success: { count: 0, ns: 0 }, fail: { count: 0, ns: 0 }, last: 0 };
    const c = ok ? entry.success : entry.fail;
    c.count++;
    c.ns += Math.round(ms * 1e6);
    entry.last = Date.now();
    this.#byModel.set(model, entry);
  }

  report(names: readonly string[]) {
    return {
      model_stats: names.map((name) => {
        const e = this.#byModel.get(name) ?? { success: { count: 0, ns: 0 }, fail: { count: 0, ns: 0 }, last: 0 };
        return {
          name,
          version: MODEL_VERSION,
          last_inference: e.last,
          inference_count: e.success.count,
          execution_count: e.success.count,
          inference_stats: { success: e.success, fail: e.fail },
        };
      }),
    };
  }
}
