// POST /check: is my loss right? The request as POST /loss takes it plus the user's own outputs;
// the answer says which reference and which convention reproduce them (src/check/).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { tensorAt } from '../../transport/jsonDocument.ts';
import type { DecodedTensor } from '../../validation/decodeJsonTensor.ts';
import { resolveLossRequestNames } from '../../validation/lossRequestNames.ts';
import { problemResponses } from '../schemas.ts';
import { answerCheck } from './answerCheck.ts';
import { checkExamples } from './examples.ts';
import { CHECK_FIELDS, documentedCheckRequest, documentedCheckResponse } from './schema.ts';

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
      body: documentedCheckRequest(checkExamples.requests),
      response: { 200: documentedCheckResponse(checkExamples.answers), ...problemResponses([400, 413, 415, 422, 503]) },
    },
    preValidation: async (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) resolveLossRequestNames(body, request.jsonTensors ?? undefined, CHECK_FIELDS);
    },
    handler: async (request, reply) => {
      const tensor = (path: string) => tensorAt({ tensors: request.jsonTensors ?? new Map() }, path) as DecodedTensor | undefined;
      const answer = answerCheck(request.body, tensor, (t) => app.lossPool.runInline(t));
      return reply.type('application/json').send(JSON.stringify(answer) as never);
    },
  });
};

export default checkRoute;
