// The OpenAPI 3.1 document, generated from the routes' zod schemas, served at /openapi.json,
// and Swagger UI at /docs.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { describeTensors } from '../schemas.ts';

export const serviceInfo = {
  title: 'Loss service',
  version: '0.1.0',
  description:
    'Machine-learning loss functions over HTTP: send predictions and targets, get the loss value, the per-sample values and ' +
    "the gradient with respect to the predictions, exactly as PyTorch computes them (float64). GET /losses lists the catalog.",
};

async function docsPlugin(app: FastifyInstance) {
  await app.register(fastifySwagger, {
    openapi: { openapi: '3.1.0', info: serviceInfo, tags: [{ name: 'loss' }, { name: 'catalog' }, { name: 'health' }, { name: 'errors' }] },
    transform: createJsonSchemaTransform({ zodToJsonConfig: { override: describeTensors } }),
    transformObject: createJsonSchemaTransformObject({ zodToJsonConfig: { override: describeTensors } }),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { tryItOutEnabled: false, displayRequestDuration: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export default fp(docsPlugin, { name: 'docs', fastify: '5.x' });
