// POST /check: is my loss right? The request as POST /loss takes it plus the user's own outputs;
// the answer says which reference and which convention reproduce them (src/check/).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { findLoss } from '../../losses/registry.ts';
import { tensorInputs } from '../../losses/types.ts';
import { ServiceError } from '../../errors/catalog.ts';
import { tensorAt } from '../../transport/jsonDocument.ts';
import type { DecodedTensor } from '../../validation/decodeJsonTensor.ts';
import { prepareLossTask, slotTensors, unreducedRefusal } from '../../validation/prepareLossTask.ts';
import { resolveLossRequestNames } from '../../validation/lossRequestNames.ts';
import { decodeYoursTensor, expectShape, yoursNumber } from '../../validation/decodeYours.ts';
import { checkLoss } from '../../check/checkLoss.ts';
import type { Named } from '../../check/compare.ts';
import type { Inputs, Outputs, Tensor } from '../../check/outputs.ts';
import { problemResponses } from '../schemas.ts';
import { CHECK_FIELDS, CheckRequest, CheckResponse } from './schema.ts';

/** The search computes hundreds of variants: inputs up to this many elements per tensor. */
export const CHECK_MAX_ELEMENTS = 100_000;

const checkRoute: FastifyPluginAsyncZod = async (app) => {
  app.post('/check', {
    schema: {
      summary: 'Is my loss right? Which convention your own loss follows, and where it parts',
      operationId: 'checkLoss',
      description:
        'Send what POST /loss takes (the loss you meant, its inputs by name, params, reduction) and `yours`: the value, per-sample values or gradient ' +
        'your own code computed for these inputs. The service computes the named loss, its relatives in the other conventions (PyTorch, Keras), ' +
        'and named departures from them (a clip, a sum where a mean was meant, a ½, logits where probabilities were expected, ...), each by the ' +
        'kernels, and answers which one reproduces your numbers, in one sentence, with the first element where the plain reference differs.',
      tags: ['check'],
      body: CheckRequest,
      response: { 200: CheckResponse, ...problemResponses(400, 413, 415, 422, 503) },
    },
    preValidation: async (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) resolveLossRequestNames(body, request.jsonTensors ?? undefined, CHECK_FIELDS);
    },
    handler: async (request, reply) => {
      const { request: body, yours, tolerance } = request.body;
      const def = findLoss(body.loss)!;
      const tensor = (path: string) => tensorAt({ tensors: request.jsonTensors ?? new Map() }, path) as DecodedTensor | undefined;
      const inputs: Inputs = {};
      for (const { name } of tensorInputs(def)) {
        const t = tensor(name);
        if (t === undefined) continue;
        if (t.data.length > CHECK_MAX_ELEMENTS) {
          throw new ServiceError('payload_too_large', `${name} has ${t.data.length} elements; POST /check searches inputs of up to ${CHECK_MAX_ELEMENTS} elements per tensor (POST /loss takes any size)`, { field: name });
        }
        inputs[name] = { data: Float64Array.from(t.data), shape: [...t.shape] };
      }
      // Refused as POST /loss refuses it: the named loss on these inputs, computed as it is.
      const wantsGradient = yours.gradient !== undefined || yours.gradients !== undefined;
      if (wantsGradient && body.reduction === 'none') throw new ServiceError('invalid_body', `yours.gradient: ${unreducedRefusal(def, 'gradient')}`, { field: 'yours.gradient' });
      const task = prepareLossTask({
        def,
        ...slotTensors(def, (name) => (inputs[name] === undefined ? undefined : { data: Float64Array.from(inputs[name].data), shape: inputs[name].shape })),
        params: body.params,
        reduction: body.reduction,
        wantPerSample: true,
        wantGradient: body.reduction !== 'none',
        regularization: null,
      });
      app.lossPool.runInline(task);
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
      const answer = checkLoss(
        { def, params: body.params as Record<string, unknown>, reduction: body.reduction, inputs, yours: named, yoursOutputs: mine, tolerance },
        (t) => app.lossPool.runInline(t),
      );
      return reply.type('application/json').send(JSON.stringify(answer) as never);
    },
  });
};

export default checkRoute;
