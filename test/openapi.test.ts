// The committed OpenAPI document is the one the code generates; Swagger UI is served; every
// loss has a ready example that the service accepts.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { generateOpenApi, openApiFile } from '../scripts/generate-openapi.ts';
import { losses } from '../src/losses/registry.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ logger: false, workers: 1 });
});
afterAll(() => app.close());

test('openapi/openapi.json matches the code (run `npm run openapi` after changing a schema)', async () => {
  const committed = readFileSync(openApiFile, 'utf8');
  expect(JSON.parse(await generateOpenApi())).toEqual(JSON.parse(committed));
});

test('GET /openapi.json serves OpenAPI 3.1 with the loss routes', async () => {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/loss', '/losses', '/losses/{name}', '/healthz', '/readyz']));
});

test('POST /loss has one example per loss, each answered 200', async () => {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const examples = doc.paths['/loss'].post.requestBody.content['application/json'].examples as Record<string, { value: unknown }>;
  expect(Object.keys(examples).sort()).toEqual(losses.map((l) => l.name).sort());
  for (const [name, { value }] of Object.entries(examples)) {
    const res = await app.inject({ method: 'POST', url: '/loss', payload: value as object });
    expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
    expect(typeof res.json().value).toBe('number');
  }
});

test('Swagger UI is served at /docs', async () => {
  const res = await app.inject({ method: 'GET', url: '/docs/' });
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('swagger-ui');
});
