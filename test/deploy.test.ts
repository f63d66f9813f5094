// The Kubernetes manifests parse, point their probes at real routes, run as non-root, and give
// the drain the time it needs.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { configSchema } from '../src/config.ts';
import { defaultBudgetBytes } from '../src/transport/memoryBudget.ts';
import { JSON_BYTES_PER_BODY_BYTE } from '../src/transport/jsonBody.ts';
import { BINARY_BYTES_PER_BODY_BYTE } from '../src/http/v2/readInferBody.ts';

const load = (file: string) => parseAllDocuments(readFileSync(new URL(`../deploy/kubernetes/${file}`, import.meta.url), 'utf8')).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS();
});

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

test('the deployment probes real routes that answer 200, runs as non-root, and fits the drain in its grace period', async () => {
  const [deployment] = load('deployment.yaml');
  expect(deployment.kind).toBe('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const path = container[probe].httpGet.path;
    expect((await app.inject({ method: 'GET', url: path })).statusCode, `${probe} ${path}`).toBe(200);
  }
  expect(pod.securityContext.runAsNonRoot).toBe(true);
  expect(pod.securityContext.runAsUser).not.toBe(0);
  expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
  expect(container.resources.requests.cpu).toBeDefined();
  expect(container.resources.limits.memory).toBeDefined();
  const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
  expect(configSchema.safeParse(env).success).toBe(true); // every variable is one the service accepts
  const drain = Number(env.SHUTDOWN_GRACE_SECONDS);
  const preStopSeconds = 5;
  expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(drain + preStopSeconds);
  // The memory figures agree: the budget is half the limit, and the largest body of each kind
  // fits the budget at its reservation before the body is read.
  const limitBytes = Number(/^(\d+)Gi$/.exec(container.resources.limits.memory)![1]) * 2 ** 30;
  const budget = Number(env.MEMORY_BUDGET_BYTES);
  expect(budget).toBe(defaultBudgetBytes(limitBytes));
  expect(Number(env.BODY_LIMIT) * JSON_BYTES_PER_BODY_BYTE).toBeLessThanOrEqual(budget);
  expect(Number(env.BINARY_BODY_LIMIT) * BINARY_BYTES_PER_BODY_BYTE).toBeLessThanOrEqual(budget);
  const annotations = deployment.spec.template.metadata.annotations;
  expect((await app.inject({ method: 'GET', url: annotations['prometheus.io/path'] })).statusCode).toBe(200);
});

test('the service and the autoscaler point at the deployment', () => {
  const [deployment] = load('deployment.yaml');
  const [service] = load('service.yaml');
  const [hpa] = load('hpa.yaml');
  expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  expect(service.spec.ports[0].targetPort).toBe(deployment.spec.template.spec.containers[0].ports[0].name);
  expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
  expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
});
