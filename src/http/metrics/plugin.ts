// GET /metrics in the Prometheus text format: requests and latency by route, loss and status,
// the pool's utilisation and queue depth, and the requests shed, timed out or failed in a worker.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { findLoss } from '../../losses/registry.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { shed: Counter<'reason'> };
  }
}

/** The loss a request named, when it is in the catalog (unknown names would explode the label set). */
function lossLabel(request: FastifyRequest): string {
  const fromBody = (request.body as { loss?: unknown } | undefined)?.loss;
  const fromParams = (request.params as { model?: unknown } | undefined)?.model;
  const name = typeof fromBody === 'string' ? fromBody : typeof fromParams === 'string' ? fromParams : undefined;
  return (name !== undefined && findLoss(name)?.name) || '';
}

async function metricsPlugin(app: FastifyInstance) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'loss', 'status'] as const;
  const requests = new Counter({ name: 'loss_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'loss_http_request_duration_seconds',
    help: 'Time from request to response',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const shed = new Counter({ name: 'loss_requests_shed_total', help: 'Requests refused to protect the service (503 queue or pressure, 429 rate limit)', labelNames: ['reason'], registers: [registry] });
  const pool = app.lossPool;
  // Pool figures are read at scrape time.
  new Gauge({ name: 'loss_pool_utilization', help: 'Share of time the workers were busy (0..1)', registers: [registry], collect() { this.set(pool.utilization); } });
  new Gauge({ name: 'loss_pool_queue_depth', help: 'Tasks waiting for a worker', registers: [registry], collect() { this.set(pool.queueSize); } });
  new Gauge({ name: 'loss_pool_threads', help: 'Worker threads alive', registers: [registry], collect() { this.set(pool.threads); } });
  const fromStats = (name: string, help: string, key: keyof typeof pool.stats) =>
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(pool.stats[key]); } });
  fromStats('loss_requests_timed_out_total', 'Computations stopped at the request deadline (504)', 'timedOut');
  fromStats('loss_worker_failures_total', 'Computations lost because their worker died (500); the worker was replaced', 'workerFailures');
  fromStats('loss_computations_inline_total', 'Computations run on the main thread (small requests)', 'inline');
  fromStats('loss_computations_pooled_total', 'Computations run in a worker thread', 'pooled');
  fromStats('loss_computations_arriving_total', 'Large binary requests computed range by range while their body arrived', 'arriving');
  fromStats('loss_computations_rescaled_total', 'Of those, kernel phases run again because the mean was not over every unit (class weights, ignored targets)', 'rescaled');
  fromStats('loss_requests_queue_full_total', 'Requests shed with 503 because the compute queue was full', 'queueFull');

  app.decorate('metrics', { shed });
  // One pair of labelled children per label set, kept: prom-client hashes a label object on every
  // inc and observe (sorting its keys), which cost more than the rest of this hook. The sets are
  // bounded: routes, the catalog's losses, statuses.
  const children = new Map<string, { count: ReturnType<typeof requests.labels>; time: ReturnType<typeof latency.labels> }>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const loss = lossLabel(request);
    const key = `${request.method} ${route} ${loss} ${reply.statusCode}`;
    let child = children.get(key);
    if (child === undefined) {
      const labels = { method: request.method, route, loss, status: String(reply.statusCode) };
      child = { count: requests.labels(labels), time: latency.labels(labels) };
      children.set(key, child);
    }
    child.count.inc();
    child.time.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}

export default fp(metricsPlugin, { name: 'metrics', fastify: '5.x', dependencies: ['loss-pool'] });
