// GET /problems/{code}: what each problem `type` URI means, from the error catalog.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemKinds, ServiceError, type ProblemCode } from '../../errors/catalog.ts';
import { problemResponses } from '../schemas.ts';

const ProblemKind = z.object({ code: z.string(), status: z.number().int(), title: z.string(), description: z.string() });

const problemsRoute: FastifyPluginAsyncZod = async (app) => {
  app.get('/problems/:code', {
    schema: {
      summary: 'What a problem type means',
      operationId: 'getProblemType',
      tags: ['errors'],
      params: z.object({ code: z.string() }),
      response: { 200: ProblemKind, ...problemResponses([404]) },
    },
    handler: async (request) => {
      const code = request.params.code;
      if (!Object.hasOwn(problemKinds, code)) throw new ServiceError('not_found', `no problem type ${JSON.stringify(code)}`, { field: 'code' });
      return { code, ...problemKinds[code as ProblemCode] };
    },
  });
};

export default problemsRoute;
