// POST /loss over JSON: transport → validation → pool → kernel → response.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { findLoss } from '../../losses/registry.ts';
import { tensorAt } from '../../transport/jsonDocument.ts';
import type { DecodedTensor } from '../../validation/decodeJsonTensor.ts';
import { prepareLossTask, slotTensors } from '../../validation/prepareLossTask.ts';
import { resolveLossRequestNames } from '../../validation/lossRequestNames.ts';
import { assertResultFinite, encodeLossResponse } from '../../response/lossResponse.ts';
import { problemResponses } from '../schemas.ts';
import { LossRequest, LossResponse, type LossResponseBody } from './schema.ts';
import { lossExamples } from './examples.ts';

const lossRoute: FastifyPluginAsyncZod = async (app) => {
  app.post('/loss', {
    schema: {
      summary: 'Compute a loss, its per-sample values and its gradient',
      operationId: 'computeLoss',
      description:
        "Send the loss's tensor inputs by name as nested JSON arrays: `predictions` and `targets` for most losses; `input1`, `input2`, `targets` " +
        '(margin_ranking, cosine_embedding); `anchor`, `positive`, `negative` (the triplet losses); `predictions`, `targets`, `var` (gaussian_nll); ' +
        "`log_probs`, `targets`, `input_lengths`, `target_lengths` (ctc); an optional `sample_weight` (the keras.* losses). GET /losses/{name} lists each loss's inputs. " +
        'The answer holds the reduced value and, when asked in `include`, ' +
        "the per-sample values (PyTorch's reduction='none') and the gradient with respect to each differentiable input. " +
        'Every refusal is application/problem+json whose detail names the field and the first bad element. Pick an example per loss below.',
      tags: ['loss'],
      body: LossRequest,
      response: { 200: LossResponse, ...problemResponses([400, 413, 415, 422, 503], lossExamples.problems) },
    },
    // Names first (validation/lossRequestNames.ts): the loss by any name it answers to, inputs by
    // the library's argument names, and a mistyped name answered with the closest ones.
    preValidation: (request, _reply, done) => {
      const body = request.body as Record<string, unknown> | undefined;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) resolveLossRequestNames(body, request.jsonTensors ?? undefined);
      done();
    },
    handler: async (request, reply) => {
      const body = request.body;
      const def = findLoss(body.loss)!; // the schema admits only catalog names
      // The tensors were decoded while the body was parsed (transport/jsonDocument.ts); a tensor
      // that did not decode is refused here, after the schema's own checks.
      const tensor = (path: string) => tensorAt({ tensors: request.jsonTensors ?? new Map() }, path) as DecodedTensor;
      const reg = body.regularization === undefined ? null : { ...body.regularization, tensor: tensor('regularization.parameters') };
      const task = prepareLossTask({
        def,
        ...slotTensors(def, tensor),
        params: body.params,
        reduction: body.reduction,
        wantPerSample: body.include.includes('per_sample'),
        wantGradient: body.include.includes('gradient'),
        regularization: reg === null ? null : { l1: reg.l1, l2: reg.l2, parameters: reg.tensor.data },
      });
      const result = app.lossPool.runNow(task) ?? (await app.lossPool.run(task));
      assertResultFinite(result);
      // The body is JSON text written from the typed arrays (LossResponse documents its shape);
      // Fastify sends a string as is, without the zod serializer.
      const json = encodeLossResponse(task, result, { params: body.params, regularizationShape: reg === null ? null : reg.tensor.shape });
      return reply.type('application/json').send(json as unknown as LossResponseBody);
    },
  });
};

export default lossRoute;
