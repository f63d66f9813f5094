// An Open Inference Protocol request (its JSON header and binary chunks) → the same
// LossRequestParts that POST /loss builds, so both routes share every check and message.
import { ServiceError } from '../errors/catalog.ts';
import { unknownInput } from './lossRequestNames.ts';
import { kernelSlots, outputsGiven, tensorInputs, type FloatArray, type LossDefinition, type Reduction, type TargetArray } from '../losses/types.ts';
import { vectorParams } from '../losses/describeParams.ts';
import { InferRequest, type InferRequestBody } from './inferRequest.ts';
import { assertInputFinite, bytesElements, BYTES_PER_ELEMENT, FLOAT_TYPES, fromJsonData, INTEGER_TYPES, LABEL_TYPES, TARGET_TYPES, viewBinary, type Datatype } from './datatypes.ts';
import { unreducedRefusal, reductionsOf, slotTensors, type LossRequestParts } from './prepareLossTask.ts';
import type { TakenTensor } from './decodeJsonTensor.ts';
import { parseLossParams } from './lossParams.ts';
import { parseRegularizationWeights } from './regularizationWeights.ts';

import { gradientOutputs, type AnswerSpec } from '../task/lossTask.ts';
import { elementCount, toNestedArray } from '../losses/layout.ts';

/** Request parameters that belong to the protocol (Triton's reserved names), not to the loss. */
const PROTOCOL_PARAMS = new Set(['binary_data_output', 'sequence_id', 'sequence_start', 'sequence_end', 'priority', 'timeout', 'headers']);
const isProtocolParam = (name: string) => PROTOCOL_PARAMS.has(name) || name.startsWith('triton_');

const MAX_ELEMENTS = 2 ** 31 - 1;

export function parseInferHeader(json: unknown): InferRequestBody {
  const parsed = InferRequest.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  throw new ServiceError('invalid_body', `${where || 'request'}: ${issue.message}`, { field: where || undefined });
}


/** Byte sizes of the binary chunks, in body order (inputs with parameters.binary_data_size). */
export function binaryChunkSizes(header: InferRequestBody): number[] {
  const sizes: number[] = [];
  for (const input of header.inputs) {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) continue;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw new ServiceError('bad_tensor_encoding', `input '${input.name}': binary_data_size must be a non-negative integer, got ${JSON.stringify(size)}`, { field: input.name });
    }
    sizes.push(size);
  }
  return sizes;
}

export interface DecodedInfer extends AnswerSpec {
  parts: LossRequestParts;
}

function tensorOf(
  input: InferRequestBody['inputs'][number],
  chunk: Uint8Array | undefined,
  allowed: readonly Datatype[],
  /** `data` already decoded while the body was parsed (transport/jsonDocument.ts). */
  decoded: TakenTensor | undefined,
): { data: FloatArray | TargetArray | BigInt64Array | Uint8Array; shape: number[]; datatype: Datatype; binary: boolean } {
  const { name, shape } = input;
  if (!(allowed as readonly string[]).includes(input.datatype)) {
    throw new ServiceError('invalid_tensor', `input '${name}': datatype ${input.datatype} is not accepted; use ${allowed.join(', ')}`, { field: name });
  }
  const datatype = input.datatype as Datatype;
  const count = elementCount(shape);
  if (count > MAX_ELEMENTS) throw new ServiceError('invalid_tensor', `input '${name}': shape [${shape.join(', ')}] holds more than ${MAX_ELEMENTS} elements`, { field: name });
  let data: FloatArray | TargetArray | BigInt64Array | Uint8Array;
  if (chunk !== undefined) {
    if (input.data !== undefined) throw new ServiceError('bad_tensor_encoding', `input '${name}' has both binary_data_size and data`, { field: name });
    const expected = count * BYTES_PER_ELEMENT[datatype];
    if (chunk.byteLength !== expected) {
      throw new ServiceError(
        'bad_tensor_encoding',
        `input '${name}': binary_data_size is ${chunk.byteLength} bytes but shape [${shape.join(', ')}] × ${datatype} (${BYTES_PER_ELEMENT[datatype]} bytes) needs ${expected}`,
        { field: name },
      );
    }
    data = viewBinary(chunk, datatype);
  } else {
    if (input.data === undefined) throw new ServiceError('invalid_tensor', `input '${name}' has neither data nor binary_data_size`, { field: name });
    if (decoded === undefined) data = fromJsonData(input.data, datatype, count, name);
    else if ('problem' in decoded) throw new ServiceError(decoded.problem.code, decoded.problem.detail, { field: decoded.problem.field, index: decoded.problem.index });
    else data = decoded.data;
  }
  return { data, shape, datatype, binary: chunk !== undefined };
}

/** A label input (scikit-learn's y_true): BYTES as strings, BOOL and numbers as float64, all
 *  converted here (they are small), so that the loss reads them as POST /loss's labels. */
function labelTensor(input: InferRequestBody['inputs'][number], chunk: Uint8Array | undefined, decoded: TakenTensor | undefined): ReturnType<typeof tensorOf> & { labels?: string[] | boolean[] } {
  const { name, shape } = input;
  if (input.datatype === 'BYTES') {
    if (chunk !== undefined && input.data !== undefined) throw new ServiceError('bad_tensor_encoding', `input '${name}' has both binary_data_size and data`, { field: name });
    const labels = bytesElements(name, elementCount(shape), input.data, chunk);
    return { data: new Float64Array(labels.length).fill(Number.NaN), labels, shape, datatype: 'FP64', binary: chunk !== undefined };
  }
  const t = tensorOf(input, chunk, LABEL_TYPES.filter((d) => d !== 'BYTES'), decoded);
  const numbers = Float64Array.from(t.data as ArrayLike<number | bigint>, Number);
  if (t.binary) assertInputFinite(numbers, name);
  return { ...t, data: numbers, datatype: 'FP64', ...(t.datatype === 'BOOL' ? { labels: Array.from(numbers, Boolean) } : {}) };
}

/** A small float tensor (weight, pos_weight, the regularization's parameters), checked here. */
function finiteFloats(t: ReturnType<typeof tensorOf>, name: string): FloatArray {
  const data = t.data as FloatArray;
  assertInputFinite(data, name);
  return data;
}

function floatVector(t: ReturnType<typeof tensorOf>, name: string): number[] {
  if (t.shape.length !== 1) throw new ServiceError('invalid_tensor', `input '${name}' must have rank 1; got shape [${t.shape.join(', ')}]`, { field: name });
  // Integer lists (a tuple axis) may come as INT32 or INT64.
  if (t.data instanceof BigInt64Array || t.data instanceof Int32Array) return Array.from(t.data, Number);
  return Array.from(finiteFloats(t, name));
}

/** A weight that broadcasts (any rank) as the nested arrays POST /loss takes for it. */
function nestedFloats(t: ReturnType<typeof tensorOf>, name: string): unknown {
  const data = finiteFloats(t, name);
  return t.shape.length === 0 ? data[0] : toNestedArray(data, t.shape);
}

export function decodeInferRequest(def: LossDefinition, { header, chunks, jsonData }: { header: InferRequestBody; chunks: Uint8Array[]; jsonData?: Map<number, TakenTensor> }): DecodedInfer {
  const vectors = vectorParams(def);
  const slots = kernelSlots(def);
  const known = [...tensorInputs(def).map((i) => i.name), ...vectors, 'parameters'];
  const tensors = new Map<string, ReturnType<typeof tensorOf>>();
  let next = 0;
  for (const [index, input] of header.inputs.entries()) {
    const chunk = input.parameters?.binary_data_size !== undefined ? chunks[next++] : undefined;
    // The library's own argument name (Keras's y_pred, y_true) stands for the input.
    const name = tensorInputs(def).find((i) => i.alsoNamed === input.name)?.name ?? input.name;
    if (!known.includes(name)) throw unknownInput(def, input.name, known, 'takes the inputs');
    if (tensors.has(name)) throw new ServiceError('invalid_body', `input '${name}' is given twice`, { field: input.name });
    const declared = tensorInputs(def).find((i) => i.name === name);
    // Labels: a label input, or a list parameter of labels (scikit-learn's labels) sent as BYTES or BOOL.
    if (declared?.labels || (vectors.includes(name) && (input.datatype === 'BYTES' || input.datatype === 'BOOL'))) {
      tensors.set(name, labelTensor(input, chunk, jsonData?.get(index)));
      continue;
    }
    const integer = declared?.integer === true;
    const allowed = name === slots.targets ? TARGET_TYPES : integer ? INTEGER_TYPES : vectors.includes(name) ? INTEGER_TYPES : FLOAT_TYPES;
    tensors.set(name, tensorOf(input, chunk, allowed, jsonData?.get(index)));
  }
  const missing = tensorInputs(def).find((i) => !tensors.has(i.name) && !i.optional);
  if (missing !== undefined) {
    throw new ServiceError('invalid_body', `model ${def.name} needs the inputs ${tensorInputs(def).map((i) => `'${i.name}'`).join(', ')}; '${missing.name}' is missing`, { field: missing.name });
  }
  // The kernel's slots by the declaration (validation/prepareLossTask.ts); targets that arrived as
  // INT64 or BOOL travel as rawTargets, converted where the kernel runs.
  const { predictions, targets, extra } = slotTensors(def, (name) => tensors.get(name) as { data: FloatArray; shape: number[]; labels?: string[] | boolean[] } | undefined);

  // Request parameters: reduction, l1/l2, protocol flags, and the loss's scalar parameters.
  const requestParams = header.parameters ?? {};
  const lossParams: Record<string, unknown> = {};
  let reduction: unknown = reductionsOf(def)[0];
  let l1: unknown;
  let l2: unknown;
  for (const [key, value] of Object.entries(requestParams)) {
    if (key === 'reduction') reduction = value;
    else if (key === 'l1') l1 = value;
    else if (key === 'l2') l2 = value;
    // A parameter that may be an array (weight, alpha, axis) comes as an input tensor of its name;
    // a number, or the list form (an extension), may come here too.
    else if (!isProtocolParam(key)) lossParams[key] = value;
  }
  for (const v of vectors) {
    const t = tensors.get(v);
    if (t === undefined) continue;
    if (v in lossParams) throw new ServiceError('invalid_body', `${v} is given twice: as an input and as a request parameter`, { field: v });
    const labels = (t as { labels?: string[] | boolean[] }).labels;
    if (labels !== undefined) lossParams[v] = labels;
    else lossParams[v] = def.tensors.broadcastParams?.includes(v) ? nestedFloats(t, v) : floatVector(t, v);
  }
  const params = parseLossParams(def, lossParams);
  // The reduction is checked where POST /loss's is, against the loss's own (prepareLossTask.ts).
  const weights = parseRegularizationWeights({ l1, l2 });
  const regTensor = tensors.get('parameters');
  if (regTensor === undefined && (weights.l1 !== 0 || weights.l2 !== 0)) {
    throw new ServiceError('invalid_body', "l1 and l2 regularize the input 'parameters', which is missing", { field: 'regularization.parameters' });
  }

  // Outputs: all by default; binary per output, or for all by binary_data_output.
  const allBinary = requestParams.binary_data_output === true;
  const gradients = gradientOutputs(def).map((g) => g.output);
  // reduction none: the per-sample values alone.
  const available = reduction === 'none' ? ['per_sample'] : ['value', 'per_sample', ...gradients, ...(regTensor === undefined ? [] : ['parameters_gradient'])];
  // By default, the outputs the loss gives for these parameters (a median has no per-sample
  // values; scikit-learn's raw_values no one gradient); asked for by name, they are refused.
  const given = outputsGiven(def, params);
  const byDefault = available.filter((n) => (n === 'per_sample' ? given.perSample : gradients.includes(n) ? given.gradient : true));
  const outputs = (header.outputs ?? byDefault.map((name) => ({ name, parameters: undefined }))).map((o) => {
    if (reduction === 'none' && (gradients.includes(o.name) || o.name === 'parameters_gradient')) {
      throw new ServiceError('invalid_body', `output '${o.name}': ${unreducedRefusal(def, o.name === 'parameters_gradient' ? 'regularization' : 'gradient')}`, { field: o.name });
    }
    if (o.name === 'parameters_gradient' && regTensor === undefined) {
      throw new ServiceError('invalid_body', `output '${o.name}' needs the regularization input 'parameters'`, { field: o.name });
    }
    if (!available.includes(o.name)) {
      throw new ServiceError('invalid_body', `model ${def.name} has no output '${o.name}'; its outputs are ${available.join(', ')}`, { field: o.name });
    }
    const flag = o.parameters?.binary_data;
    return { name: o.name, binary: typeof flag === 'boolean' ? flag : allBinary };
  });
  const wants = (n: string) => outputs.some((o) => o.name === n);

  const raw: unknown = targets.data;
  const rawTargets = raw instanceof BigInt64Array || raw instanceof Uint8Array ? raw : undefined;
  return {
    parts: {
      def,
      predictions,
      targets: rawTargets === undefined ? targets : { data: new Float64Array(0), shape: targets.shape },
      extra,
      rawTargets,
      checkFinite: [...tensors.values()].some((t) => t.binary),
      params,
      reduction: String(reduction) as Reduction,
      wantPerSample: wants('per_sample'),
      wantGradient: gradients.some(wants),
      regularization: regTensor === undefined ? null : { ...weights, parameters: finiteFloats(regTensor, 'parameters') },
    },
    datatype: tensors.get(slots.predictions)!.datatype as 'FP32' | 'FP64',
    outputs,
    regularizationShape: regTensor?.shape ?? null,
  };
}
