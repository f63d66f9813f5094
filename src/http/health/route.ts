// Liveness and readiness: alive as soon as the process answers; ready once every worker thread
// has started (load balancers and Kubernetes probes read these).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const Health = z.object({ status: z.enum(['ok', 'starting', 'draining']) });

const healthRoute: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', {
    schema: { summary: 'Liveness', operationId: 'liveness', tags: ['health'], response: { 200: Health } },
    handler: async () => ({ status: 'ok' as const }),
  });
  app.get('/readyz', {
    schema: { operationId: 'readiness', summary: 'Readiness: 200 once the worker pool is up, 503 before and from the start of a shutdown', tags: ['health'], response: { 200: Health, 503: Health } },
    handler: async (_request, reply) => {
      if (app.draining) return reply.code(503).send({ status: 'draining' as const });
      return app.lossPool.isReady() ? { status: 'ok' as const } : reply.code(503).send({ status: 'starting' as const });
    },
  });
};

export default healthRoute;
