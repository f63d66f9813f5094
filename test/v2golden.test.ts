// Every golden case through POST /v2/models/{loss}/infer: JSON tensors (FP64), binary inputs and
// outputs in FP64, and binary in FP32. Error cases answer 4xx with the protocol's {"error"}.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { findLoss } from '../src/losses/registry.ts';
import { tensorInputs } from '../src/losses/types.ts';
import { closeTo, errorCases, flatten, valueCases, valueList, type GoldenCase, type GoldenTensor } from './support/golden.ts';
import { inferRequest, parseInferResponse, type V2Datatype, type V2Input } from '../load/support/v2client.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 2, inlineThreshold: 16 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

type Mode = { binary: boolean; float: 'FP32' | 'FP64' };

function inputsOf(c: GoldenCase, mode: Mode): { inputs: V2Input[]; parameters: Record<string, unknown> } {
  // Array-valued parameters (weight, pos_weight, a per-class alpha, a tuple axis) travel as input
  // tensors of their name (the protocol's parameters are scalars); the others as parameters.
  const arrays = Object.entries(c.params).filter(([, v]) => Array.isArray(v));
  const scalars = Object.fromEntries(Object.entries(c.params).filter(([, v]) => !Array.isArray(v)));
  const { predictions = Object.values(c.inputs)[0], targets } = c.inputs;
  // Class indices (fewer dimensions than predictions, integers) travel as INT64.
  const integerTargets = targets?.data.every(Number.isInteger) === true && targets.shape.length < predictions.shape.length;
  const t = (name: string, tensor: GoldenTensor, datatype: V2Datatype): V2Input => ({ name, shape: tensor.shape, datatype, data: tensor.data, binary: mode.binary });
  // Inputs the loss declares integer (ctc's lengths and labels) as INT64 too.
  const def = findLoss(c.loss);
  const declared = def === undefined ? [] : tensorInputs(def);
  const integer = (name: string) => (name === 'targets' && integerTargets) || declared.some((i) => i.name === name && i.integer);
  // Class labels that are strings travel as BYTES, booleans as BOOL (scikit-learn's y_true).
  const labelType = (tensor: GoldenTensor): V2Datatype | null => (tensor.data.some((v) => typeof v === 'string') ? 'BYTES' : tensor.data.some((v) => typeof v === 'boolean') ? 'BOOL' : null);
  const inputs = Object.entries(c.inputs).map(([name, tensor]) => t(name, tensor, labelType(tensor) ?? (integer(name) ? 'INT64' : mode.float)));
  for (const [name, v] of arrays) {
    const flat = flatten(v);
    inputs.push(t(name, flat, labelType(flat) ?? (name === 'axis' ? 'INT64' : mode.float)));
  }
  const parameters: Record<string, unknown> = { ...scalars, reduction: c.reduction };
  if (c.regularization) {
    inputs.push(t('parameters', c.regularization.parameters, mode.float));
    parameters.l1 = c.regularization.l1;
    parameters.l2 = c.regularization.l2;
  }
  if (mode.binary) parameters.binary_data_output = true;
  return { inputs, parameters };
}

const modes: [string, Mode][] = [
  ['JSON FP64', { binary: false, float: 'FP64' }],
  ['binary FP64', { binary: true, float: 'FP64' }],
  ['binary FP32', { binary: true, float: 'FP32' }],
];

/** FP32 runs round inputs to float32 first, so golden cases computed from float64 inputs are
 *  compared at float32's rtol, with an absolute floor of 1e-5 of the tensor's largest magnitude
 *  (float32 rounding of an input moves outputs near zero by about that much). Golden cases that
 *  are float32 already are held to the golden tolerance as they are. */
function matches(actual: number[], expected: GoldenTensor | { shape: number[]; data: number[] }, c: GoldenCase, mode: Mode): string | null {
  if (actual.length !== expected.data.length) return `length ${actual.length} != ${expected.data.length}`;
  const roundedInputs = mode.float === 'FP32' && c.dtype === 'float64';
  const scale = Math.max(...expected.data.map(Math.abs));
  for (let i = 0; i < actual.length; i++) {
    const e = expected.data[i];
    const ok = roundedInputs
      ? Math.abs(actual[i] - e) <= Math.max(1e-5 * Math.abs(e), 1e-5 * scale, 1e-12)
      : closeTo(actual[i], e, mode.float === 'FP32' ? 'float32' : c.dtype);
    if (!ok) return `element ${i}: ${actual[i]} != ${e}`;
  }
  return null;
}

describe.each(modes)('golden value cases via v2 infer, %s', (_label, mode) => {
  test.each(valueCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const { inputs, parameters } = inputsOf(c, mode);
    const { payload, headers } = inferRequest(inputs, { id: c.id, parameters });
    const res = await app.inject({ method: 'POST', url: `/v2/models/${c.loss}/infer`, payload, headers });
    expect(res.statusCode, res.body).toBe(200);
    const { json, outputs } = parseInferResponse(res.rawPayload, res.headers);
    expect(json).toMatchObject({ model_name: c.loss, id: c.id });
    const exp = c.expected!;
    // Outputs in the predictions' datatype; predictions that are labels (zero_one_loss) answer FP64.
    const labelPredictions = tensorInputs(findLoss(c.loss)!).some((i) => i.name === 'predictions' && i.labels);
    for (const o of outputs.values()) expect(o.datatype).toBe(labelPredictions ? 'FP64' : mode.float);
    // reduction none: per_sample alone.
    if (exp.value === undefined) expect([...outputs.keys()]).toEqual(['per_sample']);
    else expect(matches(outputs.get('value')!.data, { shape: [valueList(exp.value).length], data: valueList(exp.value) }, c, mode), 'value').toBeNull();
    if (exp.per_sample === undefined) expect(outputs.has('per_sample')).toBe(false);
    else {
      expect(outputs.get('per_sample')!.shape).toEqual(exp.per_sample.shape);
      expect(matches(outputs.get('per_sample')!.data, exp.per_sample, c, mode), 'per_sample').toBeNull();
    }
    // One differentiable input: output `gradient`; several: `gradient_<input>`.
    const gradients = exp.gradients ?? {};
    const names = Object.keys(gradients);
    for (const name of names) {
      const output = outputs.get(names.length === 1 ? 'gradient' : `gradient_${name}`)!;
      expect(output.shape).toEqual(gradients[name].shape);
      expect(matches(output.data, gradients[name], c, mode), `gradient of ${name}`).toBeNull();
    }
    if (exp.parameters_gradient) expect(matches(outputs.get('parameters_gradient')!.data, exp.parameters_gradient, c, mode), 'parameters_gradient').toBeNull();
    if (mode.binary) expect(res.headers['inference-header-content-length']).toBeDefined();
  });
});

describe.each(modes)('golden error cases via v2 infer, %s', (_label, mode) => {
  test.each(errorCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const { inputs, parameters } = inputsOf(c, mode);
    const { payload, headers } = inferRequest(inputs, { parameters });
    const res = await app.inject({ method: 'POST', url: `/v2/models/${c.loss}/infer`, payload, headers });
    const unknownModel = c.field === 'loss';
    expect(res.statusCode, res.body).toBe(unknownModel ? 404 : c.expect_error);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['error']);
    const name = unknownModel ? 'model' : c.field?.replace(/^params\./, '');
    if (name !== undefined) expect(body.error).toContain(name);
    if (c.index !== undefined) expect(body.error).toMatch(new RegExp(`\\[${c.index}\\]|element ${c.index}\\b`));
  });
});
