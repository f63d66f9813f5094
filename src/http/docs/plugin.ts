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

const zodTransform = createJsonSchemaTransform({ zodToJsonConfig: { override: describeTensors } });

/** The v2 infer body is the JSON request, alone or followed by binary tensor chunks. */
function withBinaryInferBody<T extends { schema: Record<string, any>; url: string }>(out: T): T {
  if (!out.url.endsWith('/infer') || out.schema.body === undefined) return out;
  out.schema.body = {
    content: {
      'application/json': { schema: out.schema.body },
      'application/octet-stream': {
        schema: {
          type: 'string',
          format: 'binary',
          description:
            'Binary tensor data extension: the JSON request (InferRequest) of Inference-Header-Content-Length bytes, then each input that has ' +
            'parameters.binary_data_size, in input order: little-endian, row-major, no padding.',
        },
      },
    },
  };
  return out;
}

async function docsPlugin(app: FastifyInstance, opts: { bearerAuth?: boolean }) {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: serviceInfo,
      // With API keys configured, Swagger UI's Authorize button sends the Bearer key. (The committed
      // document is generated without keys.)
      ...(opts.bearerAuth
        ? { components: { securitySchemes: { bearerAuth: { type: 'http' as const, scheme: 'bearer' } } }, security: [{ bearerAuth: [] }] }
        : {}),
      tags: [{ name: 'loss' }, { name: 'catalog' }, { name: 'v2', description: 'Open Inference Protocol (KServe v2 / Triton), with binary tensor data' }, { name: 'explore', description: 'Pictures of the losses' }, { name: 'health' }, { name: 'errors' }],
    },
    transform: (route) => withBinaryInferBody(zodTransform(route)),
    transformObject: createJsonSchemaTransformObject({ zodToJsonConfig: { override: describeTensors } }),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { tryItOutEnabled: false, displayRequestDuration: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export default fp(docsPlugin, { name: 'docs', fastify: '5.x' });
