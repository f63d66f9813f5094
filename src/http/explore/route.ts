// GET /explore: an interactive page to learn the losses (explorePage.ts, explore.client.js);
// its script at GET /explore/explore.js.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { explorePage } from './explorePage.ts';

const script = readFileSync(new URL('./explore.client.js', import.meta.url), 'utf8');

const exploreRoute: FastifyPluginAsyncZod = async (app) => {
  app.get('/explore', {
    schema: {
      summary: 'Explore the losses (HTML): an index with a search, each loss with its parameters as controls, PyTorch and Keras over each other, comparisons',
      operationId: 'explore',
      tags: ['explore'],
      response: { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } },
    },
    handler: async (_request, reply) => reply.type('text/html; charset=utf-8').send(explorePage),
  });
  app.get('/explore/explore.js', { schema: { hide: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script));
};

export default exploreRoute;
