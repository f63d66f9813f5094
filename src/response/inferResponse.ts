// The answer of /v2/models/{loss}/infer. JSON outputs carry flat row-major `data`; binary
// outputs carry parameters.binary_data_size and their bytes follow the JSON header, in output
// order, straight from the result's typed arrays (Buffer views: no copy, no JSON).
import { Readable } from 'node:stream';
import type { FloatArray } from '../losses/types.ts';
import type { LossResult, LossTask } from '../pool/lossTask.ts';
import { findLoss } from '../losses/registry.ts';
import { perSampleShape } from '../validation/prepareLossTask.ts';
import type { DecodedInfer, OutputName } from '../validation/decodeInferRequest.ts';
import { toNestedArray } from './encodeJsonTensor.ts';

export interface EncodedInferResponse {
  contentType: string;
  headers: Record<string, string>;
  body: string | Readable;
}

function outputTensor(name: OutputName, task: LossTask, result: LossResult, decoded: DecodedInfer): { shape: number[]; data: FloatArray } {
  const asOutputType = (a: FloatArray): FloatArray => (decoded.datatype === 'FP32' && !(a instanceof Float32Array) ? Float32Array.from(a) : a);
  switch (name) {
    case 'value':
      return { shape: [1], data: decoded.datatype === 'FP32' ? Float32Array.of(result.value) : Float64Array.of(result.value) };
    case 'per_sample':
      return { shape: perSampleShape(findLoss(task.loss)!, task.input.shape), data: result.perSample! };
    case 'gradient':
      return { shape: task.input.shape, data: result.gradient! };
    case 'parameters_gradient':
      return { shape: decoded.regularizationShape!, data: asOutputType(result.parametersGradient!) };
  }
}

export function encodeInferResponse(modelName: string, id: string | undefined, task: LossTask, result: LossResult, decoded: DecodedInfer): EncodedInferResponse {
  const binaryParts: Buffer[] = [];
  const outputs = decoded.outputs.map(({ name, binary }) => {
    const { shape, data } = outputTensor(name, task, result, decoded);
    const base = { name, shape, datatype: decoded.datatype };
    if (!binary) return { ...base, data: toNestedArray(data, [data.length]) };
    binaryParts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return { ...base, parameters: { binary_data_size: data.byteLength } };
  });
  const header = JSON.stringify({
    model_name: modelName,
    model_version: '1',
    ...(id !== undefined ? { id } : {}),
    parameters: { reduction: task.reduction, ...(task.reduction === 'sum' ? {} : { denominator: result.denominator }) },
    outputs,
  });
  if (binaryParts.length === 0) return { contentType: 'application/json', headers: {}, body: header };
  const headerBytes = Buffer.from(header, 'utf8');
  const length = binaryParts.reduce((n, b) => n + b.byteLength, headerBytes.byteLength);
  return {
    contentType: 'application/octet-stream',
    headers: { 'inference-header-content-length': String(headerBytes.byteLength), 'content-length': String(length) },
    body: Readable.from([headerBytes, ...binaryParts], { objectMode: false }),
  };
}
