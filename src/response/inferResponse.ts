// The answer of /v2/models/{loss}/infer. JSON outputs carry flat row-major `data`; binary
// outputs carry parameters.binary_data_size and their bytes follow the JSON header, in output
// order, straight from the result's typed arrays (Buffer views: no copy, no JSON).
import { Readable } from 'node:stream';
import type { FloatArray } from '../losses/types.ts';
import { findLoss } from '../losses/registry.ts';
import { gradientOutputs, type AnswerSpec, type LossResult, type LossTask, type OutputName } from '../task/lossTask.ts';
import { elementCount } from '../losses/layout.ts';
import { tensorText } from './numberText.ts';

import { jsonTensorPieces, streamPieces } from './encodeJsonTensor.ts';
import { STREAM_NUMBERS } from './lossResponse.ts';
import { ServiceError } from '../errors/catalog.ts';

/** The longest float64 in JSON (-1.2345678901234567e-308) and its comma. */
const MAX_CHARS_PER_NUMBER = 25;
/** V8's longest string, less room for the rest of the header. */
const MAX_HEADER_CHARS = 2 ** 29 - 2 ** 20;

/** A binary answer's JSON header is one string: when JSON outputs beside binary ones could not
 *  fit in it, the request is refused before anything is computed. */
export function assertAnswerFits(decoded: AnswerSpec, elements: number): void {
  const binary = decoded.outputs.some((o) => o.binary);
  const jsonTensors = decoded.outputs.filter((o) => !o.binary && o.name !== 'value').length;
  if (binary && jsonTensors * elements * MAX_CHARS_PER_NUMBER > MAX_HEADER_CHARS) {
    throw new ServiceError(
      'payload_too_large',
      `the answer's JSON header would hold ${jsonTensors * elements} numbers as text, more than one header can carry; ask for every output with binary_data (or binary_data_output: true)`,
    );
  }
}

export interface EncodedInferResponse {
  contentType: string;
  headers: Record<string, string>;
  body: string | Readable;
}

/** An output's shape in the answer (known before anything is computed). */
function outputShape(name: OutputName, task: LossTask, decoded: AnswerSpec): number[] {
  switch (name) {
    case 'value':
      return task.shapes.value ?? [1];
    case 'per_sample':
      return task.shapes.perSample;
    case 'gradient':
      return task.shapes.gradient;
    case 'parameters_gradient':
      return decoded.regularizationShape!;
  }
  const { input, first } = gradientInput(name, task);
  return first ? task.shapes.gradient : (task.shapes.inputs?.[input] ?? task.shapes.gradient);
}

/** The input of a gradient_<input> output, and whether it is the first differentiable input,
 *  whose gradient is the kernel's `gradient`. */
function gradientInput(name: OutputName, task: LossTask): { input: string; first: boolean } {
  const input = name.slice('gradient_'.length);
  return { input, first: input === gradientOutputs(findLoss(task.loss)!)[0].input };
}

/** An output's numbers, in the answer's datatype. */
export function outputData(name: OutputName, task: LossTask, result: LossResult, decoded: AnswerSpec): FloatArray {
  const asOutputType = (a: FloatArray): FloatArray => (decoded.datatype === 'FP32' && !(a instanceof Float32Array) ? Float32Array.from(a) : a);
  switch (name) {
    case 'value': {
      const values = result.values ?? [result.value];
      return decoded.datatype === 'FP32' ? Float32Array.from(values) : Float64Array.from(values);
    }
    case 'per_sample':
      return result.perSample!;
    case 'gradient':
      return result.gradient!;
    case 'parameters_gradient':
      return asOutputType(result.parametersGradient!);
  }
  const { input, first } = gradientInput(name, task);
  return first ? result.gradient! : result.gradients[input];
}

function outputTensor(name: OutputName, task: LossTask, result: LossResult, decoded: AnswerSpec): { shape: number[]; data: FloatArray } {
  return { shape: outputShape(name, task, decoded), data: outputData(name, task, result, decoded) };
}

/** The answer's outputs in order. An all-binary answer leads with the first input's gradient, so
 *  that its bytes can leave while later blocks are computed (streamedInferAnswer.ts); the others
 *  keep the request's order. (The protocol's clients find outputs by name.) */
export function answerOutputs(task: LossTask, decoded: AnswerSpec): AnswerSpec['outputs'] {
  const { outputs } = decoded;
  if (!outputs.every((o) => o.binary)) return outputs;
  // A loss without a differentiable input (zero_one_loss: labels) has no gradient to lead with.
  const lead = gradientOutputs(findLoss(task.loss)!)[0]?.output;
  if (lead === undefined) return outputs;
  return [...outputs.filter((o) => o.name === lead), ...outputs.filter((o) => o.name !== lead)];
}

/** The JSON of an answer (its header when it has binary outputs), in answerOutputs' order, and
 *  the byte size of each binary output. Without `dataOf` (a streamed answer, written before anything is
 *  computed) every output must be binary and its size comes from its shape; with it, JSON outputs
 *  carry their numbers and binary ones their data's size. */
export function answerHeader(
  modelName: string,
  id: string | undefined,
  task: LossTask,
  denominator: number,
  decoded: AnswerSpec,
  dataOf?: (name: OutputName) => FloatArray,
): { text: string; sizes: number[] } {
  const bytesPer = decoded.datatype === 'FP32' ? 4 : 8;
  const sizes: number[] = [];
  // The text JSON.stringify would write, with a JSON output's numbers printed by tensorText.
  const outputs = answerOutputs(task, decoded).map(({ name, binary }) => {
    const shape = outputShape(name, task, decoded);
    const base = JSON.stringify({ name, shape, datatype: decoded.datatype }).slice(0, -1);
    const data = dataOf?.(name);
    if (!binary) return `${base},"data":${tensorText(data!, [data!.length])}}`;
    sizes.push(data === undefined ? elementCount(shape) * bytesPer : data.byteLength);
    return `${base},"parameters":{"binary_data_size":${sizes[sizes.length - 1]}}}`;
  });
  const head = JSON.stringify({ model_name: modelName, model_version: '1', ...(id !== undefined ? { id } : {}), parameters: parametersOf(task, denominator) });
  return { text: `${head.slice(0, -1)},"outputs":[${outputs.join(',')}]}`, sizes };
}

/** A typed array's bytes as a Buffer view (no copy). */
export const bytesOf = (a: FloatArray, from = 0, to = a.length) => Buffer.from(a.buffer, a.byteOffset + from * a.BYTES_PER_ELEMENT, (to - from) * a.BYTES_PER_ELEMENT);

/** An all-JSON answer too large for one string, in pieces (the same text as JSON.stringify). */
function* jsonPieces(modelName: string, id: string | undefined, task: LossTask, result: LossResult, decoded: AnswerSpec): Generator<string> {
  const head = JSON.stringify({ model_name: modelName, model_version: '1', ...(id !== undefined ? { id } : {}), parameters: parametersOf(task, result.denominator) });
  yield `${head.slice(0, -1)},"outputs":[`;
  for (const [i, { name }] of decoded.outputs.entries()) {
    const { shape, data } = outputTensor(name, task, result, decoded);
    yield `${i === 0 ? '' : ','}${JSON.stringify({ name, shape, datatype: decoded.datatype }).slice(0, -1)},"data":`;
    yield* jsonTensorPieces(data, [data.length]);
    yield '}';
  }
  yield ']}';
}

const parametersOf = (task: LossTask, denominator: number) => ({
  reduction: task.reduction,
  // The arithmetic (float64 for FP32 inputs too); the outputs' datatype is the predictions'.
  precision: 'float64',
  ...(task.reduction === 'sum' || task.reduction === 'none' ? {} : { denominator }),
});

export function encodeInferResponse(modelName: string, id: string | undefined, task: LossTask, result: LossResult, decoded: AnswerSpec): EncodedInferResponse {
  if (decoded.outputs.every((o) => !o.binary)) {
    const numbers = decoded.outputs.reduce((n, o) => n + elementCount(outputShape(o.name, task, decoded)), 0);
    if (numbers > STREAM_NUMBERS) {
      return { contentType: 'application/json', headers: {}, body: streamPieces(jsonPieces(modelName, id, task, result, decoded)) };
    }
  }
  // Each output's numbers once (value and an FP32 parameters_gradient are made here).
  const outputs = answerOutputs(task, decoded);
  const data = new Map(outputs.map(({ name }) => [name, outputData(name, task, result, decoded)]));
  const { text, sizes } = answerHeader(modelName, id, task, result.denominator, decoded, (name) => data.get(name)!);
  if (sizes.length === 0) return { contentType: 'application/json', headers: {}, body: text };
  const header = Buffer.from(text, 'utf8');
  const parts = outputs.filter((o) => o.binary).map(({ name }) => bytesOf(data.get(name)!));
  return {
    contentType: 'application/octet-stream',
    headers: { 'inference-header-content-length': String(header.byteLength), 'content-length': String(sizes.reduce((n, b) => n + b, header.byteLength)) },
    body: Readable.from([header, ...parts], { objectMode: false }),
  };
}
