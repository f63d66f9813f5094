// The check of one parsed /check body: its inputs refused as POST /loss refuses them, the user's
// outputs in the shapes the loss gives them, then the search (src/check/checkLoss.ts). The route
// answers requests with it; the OpenAPI document's examples are answered by it too.
import { findLoss } from '../../losses/registry.ts';
import { outputsGiven, tensorInputs } from '../../losses/types.ts';
import { ServiceError } from '../../errors/catalog.ts';
import type { DecodedTensor } from '../../validation/decodeJsonTensor.ts';
import { prepareLossTask, slotTensors, unreducedRefusal } from '../../validation/prepareLossTask.ts';
import { decodeYoursTensor, expectShape, yoursNumber } from '../../validation/decodeYours.ts';
import { checkLoss, type CheckAnswer } from '../../check/checkLoss.ts';
import type { Named } from '../../check/compare.ts';
import type { Compute, Inputs, Outputs, Tensor } from '../../check/outputs.ts';
import type { CheckBody } from './schema.ts';

/** The search computes hundreds of variants: inputs up to this many elements per tensor. */
export const CHECK_MAX_ELEMENTS = 100_000;

export function answerCheck({ request: body, yours, tolerance }: CheckBody, tensor: (name: string) => DecodedTensor | undefined, compute: Compute): CheckAnswer {
  const def = findLoss(body.loss)!;
  const inputs: Inputs = {};
  for (const { name } of tensorInputs(def)) {
    const t = tensor(name);
    if (t === undefined) continue;
    if (t.data.length > CHECK_MAX_ELEMENTS) {
      throw new ServiceError('payload_too_large', `${name} has ${t.data.length} elements; POST /check searches inputs of up to ${CHECK_MAX_ELEMENTS} elements per tensor (POST /loss takes any size)`, { field: name });
    }
    inputs[name] = { data: Float64Array.from(t.data), shape: [...t.shape], ...(t.labels === undefined ? {} : { labels: t.labels }) };
  }
  // Refused as POST /loss refuses it: the named loss on these inputs, computed as it is.
  const wantsGradient = yours.gradient !== undefined || yours.gradients !== undefined;
  if (wantsGradient && body.reduction === 'none') throw new ServiceError('invalid_body', `yours.gradient: ${unreducedRefusal(def, 'gradient')}`, { field: 'yours.gradient' });
  // Outputs the loss does not give for these parameters (a median's per-sample values, a vector
  // value's gradient) are refused where the user sent them, asked for nowhere else.
  const given = outputsGiven(def, body.params as never);
  const refusal = def.checks?.refuseOutputs?.(body.params as never, { perSample: yours.per_sample !== undefined, gradient: wantsGradient }) ?? null;
  if (refusal !== null) {
    const field = yours.per_sample !== undefined && !given.perSample ? 'yours.per_sample' : yours.gradient !== undefined ? 'yours.gradient' : 'yours.gradients';
    throw new ServiceError(refusal.code, `${field}: ${refusal.detail}`, { field });
  }
  const task = prepareLossTask({
    def,
    ...slotTensors(def, (name) => (inputs[name] === undefined ? undefined : { ...inputs[name], data: Float64Array.from(inputs[name].data) })),
    params: body.params,
    reduction: body.reduction,
    wantPerSample: given.perSample,
    wantGradient: body.reduction !== 'none' && given.gradient,
    regularization: null,
  });
  const result = compute(task);
  if (result.values != null && yours.value !== undefined) {
    throw new ServiceError('invalid_body', `yours.value: ${def.name} answers a value per output here (multioutput "raw_values"); POST /check compares one value: ask for "uniform_average" or output weights`, { field: 'yours.value' });
  }
  // Your outputs, in the shapes the loss gives them for these inputs.
  const named: Named = new Map();
  const mine: Outputs = {};
  if (yours.value !== undefined) {
    if (body.reduction === 'none') throw new ServiceError('invalid_body', 'yours.value: reduction none has no value; send per_sample, or ask for mean or sum', { field: 'yours.value' });
    mine.value = yoursNumber(yours.value, 'yours.value');
    named.set('value', mine.value);
  }
  if (yours.per_sample !== undefined) {
    const t = decodeYoursTensor(yours.per_sample, 'yours.per_sample');
    expectShape(t, task.shapes.perSample, 'yours.per_sample', `${def.name}'s per_sample`);
    mine.perSample = t;
    named.set('per_sample', t);
  }
  const differentiable = tensorInputs(def).filter((i) => i.differentiable).map((i) => i.name);
  const shapeOf = (name: string) => (name === differentiable[0] ? task.shapes.gradient : (task.shapes.inputs?.[name] ?? task.shapes.gradient));
  const gradients: Record<string, Tensor> = {};
  if (yours.gradient !== undefined) {
    if (differentiable.length !== 1) throw new ServiceError('invalid_body', `yours.gradient: ${def.name} has several differentiable inputs; send yours.gradients by input name (${differentiable.join(', ')})`, { field: 'yours.gradient' });
    const t = decodeYoursTensor(yours.gradient, 'yours.gradient');
    expectShape(t, shapeOf(differentiable[0]), 'yours.gradient', `the gradient with respect to ${differentiable[0]}`);
    gradients[differentiable[0]] = t;
    named.set('gradient', t);
  }
  for (const [name, value] of Object.entries(yours.gradients ?? {})) {
    if (!differentiable.includes(name)) throw new ServiceError('invalid_body', `yours.gradients.${name}: ${def.name}'s differentiable inputs are ${differentiable.join(', ')}`, { field: `yours.gradients.${name}` });
    const t = decodeYoursTensor(value, `yours.gradients.${name}`);
    expectShape(t, shapeOf(name), `yours.gradients.${name}`, `the gradient with respect to ${name}`);
    gradients[name] = t;
    named.set(differentiable.length === 1 ? 'gradient' : `gradients.${name}`, t);
  }
  if (Object.keys(gradients).length > 0) mine.gradients = gradients;
  return checkLoss({ def, params: body.params as Record<string, unknown>, reduction: body.reduction, inputs, yours: named, yoursOutputs: mine, tolerance }, compute);
}
