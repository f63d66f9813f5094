// The OpenAPI 3.1 document, generated from the routes' zod schemas, served at /openapi.json,
// and Swagger UI at /docs.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { describeTensors } from '../schemas.ts';
import { tidyDocument, type OpenApiJson } from './tidyDocument.ts';

export const serviceInfo = {
  title: 'Loss service',
  version: '0.1.0',
  description:
    'Machine-learning loss functions over HTTP: send predictions and targets, get the loss value, the per-sample values and ' +
    "the gradient with respect to the predictions, exactly as PyTorch computes them (float64). GET /losses lists the catalog.",
};

const zodTransform = createJsonSchemaTransform({ zodToJsonConfig: { override: describeTensors } });

type MediaRecord = Record<string, { examples?: unknown } & Record<string, unknown>>;

/** A response's media `examples` (problemResponses gives some) survive the zod transform, which
 *  keeps only each media's schema. */
function withMediaExamples<T extends { schema: object }>(route: { schema?: object }, out: T): T {
  const declared = (route.schema as { response?: Record<string, { content?: MediaRecord }> } | undefined)?.response ?? {};
  const transformed = (out.schema as { response?: Record<string, { content?: MediaRecord }> }).response ?? {};
  for (const [status, response] of Object.entries(declared)) {
    for (const [type, media] of Object.entries(response?.content ?? {})) {
      const target = transformed[status]?.content?.[type];
      if (media.examples !== undefined && target !== undefined) target.examples = media.examples;
    }
  }
  return out;
}

/** The v2 infer body is the JSON request, alone or followed by binary tensor chunks. */
function withBinaryInferBody<T extends { schema: object; url: string }>(out: T): T {
  const schema = out.schema as Record<string, unknown>;
  if (!out.url.endsWith('/infer') || schema.body === undefined) return out;
  schema.body = {
    content: {
      'application/json': { schema: schema.body },
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

const transformObject = createJsonSchemaTransformObject({ zodToJsonConfig: { override: describeTensors } });

async function docsPlugin(app: FastifyInstance) {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      // No licence is granted (package.json: private, UNLICENSED); SPDX's form for that is a LicenseRef.
      info: { ...serviceInfo, license: { name: 'All rights reserved', identifier: 'LicenseRef-Proprietary' } },
      // Relative to where the document is served: the service itself.
      servers: [{ url: '/', description: 'This service' }],
      // API keys are optional (API_KEYS): where they are set, Swagger UI's Authorize button sends one.
      components: { securitySchemes: { bearerAuth: { type: 'http' as const, scheme: 'bearer', description: 'One of the keys in API_KEYS, when the service has any.' } } },
      tags: [
        { name: 'loss', description: 'Compute a loss, its per-sample values and its gradients (JSON)' },
        { name: 'catalog', description: 'The losses: formulas, parameters, reduction rules' },
        { name: 'v2', description: 'Open Inference Protocol (KServe v2 / Triton), with binary tensor data' },
        { name: 'explore', description: 'Pictures of the losses' },
        { name: 'health', description: 'Liveness and readiness probes' },
        { name: 'errors', description: 'What each problem type means' },
      ],
    },
    transform: (route) => withBinaryInferBody(withMediaExamples(route, zodTransform(route))),
    transformObject: (input) => tidyDocument(transformObject(input) as OpenApiJson) as ReturnType<typeof transformObject>,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { tryItOutEnabled: false, displayRequestDuration: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export default fp(docsPlugin, { name: 'docs', fastify: '5.x' });
