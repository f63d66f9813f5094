// The committed OpenAPI document is the one the code generates; Swagger UI is served; every
// loss has a ready example that the service accepts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { generateOpenApi, openApiFile } from '../scripts/generate-openapi.ts';
import { losses } from '../src/losses/registry.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
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

test("POST /loss has one example per loss, and the document's answer to each is the service's answer", async () => {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const examples = doc.paths['/loss'].post.requestBody.content['application/json'].examples as Record<string, { value: unknown }>;
  const answers = doc.paths['/loss'].post.responses['200'].content['application/json'].examples as Record<string, { value: unknown }>;
  expect(Object.keys(examples).sort()).toEqual(losses.map((l) => l.name).sort());
  expect(Object.keys(answers).sort()).toEqual(Object.keys(examples).sort());
  for (const [name, { value }] of Object.entries(examples)) {
    const res = await app.inject({ method: 'POST', url: '/loss', payload: value as object });
    expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
    expect(answers[name].value, name).toEqual(res.json());
  }
});

test("POST /loss's documented problems are the service's refusals", async () => {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const documented = (status: number) => {
    const { request_id: _, ...rest } = doc.paths['/loss'].post.responses[status].content['application/problem+json'].examples[status].value;
    return rest;
  };
  const refused = async (payload: string, contentType = 'application/json') => {
    const res = await app.inject({ method: 'POST', url: '/loss', payload, headers: { 'content-type': contentType } });
    const { request_id: _, ...rest } = res.json();
    return { status: res.statusCode, rest };
  };
  const cases: [number, string, string?][] = [
    [400, JSON.stringify({ loss: 'mse', predictions: [1, 2, 3], targets: [1, 2] })],
    [415, 'x', 'text/plain'],
    [422, JSON.stringify({ loss: 'exponential', predictions: [800], targets: [-1] })],
  ];
  for (const [status, payload, type] of cases) {
    const { status: got, rest } = await refused(payload, type);
    expect(got).toBe(status);
    expect(rest, String(status)).toEqual(documented(status));
  }
  // 413 and 503 depend on the limits the service runs with: their kinds are the catalog's.
  expect(documented(413).code).toBe('payload_too_large');
  expect(documented(503).code).toBe('overloaded');
});

test('Swagger UI is served at /docs', async () => {
  const res = await app.inject({ method: 'GET', url: '/docs/' });
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('swagger-ui');
});

test("the committed document passes Redocly's recommended rules with no error and no warning", () => {
  const redocly = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));
  const result = spawnSync(redocly, ['lint', fileURLToPath(openApiFile), '--format=summary'], { encoding: 'utf8' });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(0);
  expect(output).toContain('Your API description is valid');
  expect(output).not.toMatch(/warning|error /i);
});

test('every operation has a stable operationId, a 4xx answer and its security; components are the API\'s nouns', () => {
  const doc = JSON.parse(readFileSync(openApiFile, 'utf8'));
  const ids = new Set<string>();
  type Operation = { operationId: string; responses: Record<string, unknown>; security?: unknown };
  for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(op.operationId), op.operationId).toBe(false);
      ids.add(op.operationId);
      expect(Object.keys(op.responses).some((s) => s.startsWith('4')), `${method} ${path}`).toBe(true);
      expect(op.security, `${method} ${path}`).toBeDefined();
    }
  }
  expect(doc.paths['/loss'].post.security).toEqual([{}, { bearerAuth: [] }]);
  expect(doc.paths['/healthz'].get.security).toEqual([]);
  expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  expect(doc.servers).toEqual([{ url: '/', description: 'This service' }]);
  expect(Object.keys(doc.components.schemas).filter((n) => n.endsWith('Input'))).toEqual([]);
});
