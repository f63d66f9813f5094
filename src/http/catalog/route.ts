// GET /losses and GET /losses/{name}: the catalog, generated from the loss declarations.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { losses } from '../../losses/registry.ts';
import { resolveLossName } from '../../validation/lossRequestNames.ts';
import { problemResponses } from '../schemas.ts';
import { CatalogEntry, catalogEntry } from './catalogEntry.ts';

const catalogRoute: FastifyPluginAsyncZod = async (app) => {
  const entries = losses.map(catalogEntry);
  const byName = new Map(entries.map((e) => [e.name, e]));

  app.get('/losses', {
    schema: {
      summary: 'The loss catalog',
      operationId: 'listLosses',
      description: 'Every loss: name, aliases, formula, reduction rule, parameters with defaults and ranges, and what predictions and targets must be.',
      tags: ['catalog'],
      response: { 200: z.object({ losses: z.array(CatalogEntry) }) },
    },
    handler: async () => ({ losses: entries }),
  });

  app.get('/losses/:name', {
    schema: {
      summary: 'One loss of the catalog',
      operationId: 'getLoss',
      tags: ['catalog'],
      params: z.object({ name: z.string().meta({ description: 'Loss name or alias.' }) }),
      response: { 200: CatalogEntry, ...problemResponses([404]) },
    },
    handler: async (request) => {
      return byName.get(resolveLossName(request.params.name, 'name').name)!;
    },
  });
};

export default catalogRoute;
