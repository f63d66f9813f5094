// The app factory: builds the service with its plugins and routes, without listening. Tests
// drive it with inject(); server.ts listens.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { DestinationStream } from 'pino';
import { createLogger } from './logger.ts';
import { answerClientError } from './errors/clientErrors.ts';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { defaultOptions, type ServiceOptions } from './config.ts';
import errorsPlugin, { sendError } from './errors/errorsPlugin.ts';
import lossPool from './pool/lossPool.ts';
import docsPlugin from './http/docs/plugin.ts';
import lossRoute from './http/loss/route.ts';
import checkRoute from './http/check/route.ts';
import catalogRoute from './http/catalog/route.ts';
import healthRoute from './http/health/route.ts';
import problemsRoute from './http/problems/route.ts';
import v2Routes from './http/v2/routes.ts';
import metricsPlugin from './http/metrics/plugin.ts';
import protection from './http/protection/plugin.ts';
import lifecycle from './http/lifecycle.ts';
import plotsRoute from './http/plots/route.ts';
import exploreRoute from './http/explore/route.ts';
import admission from './transport/admissionPlugin.ts';
import compression from './http/compression.ts';
import { defaultBudgetBytes, heapLimitMiB } from './transport/memoryBudget.ts';
import type { PressureReadings } from './http/protection/pressure.ts';

export interface AppOptions extends Partial<ServiceOptions> {
  /** false: no logs; else JSON lines at `level` (default: logLevel) to `stream` (default: stdout). */
  logger?: false | { level?: string; stream?: DestinationStream };
  /** Event-loop delay and RSS readings for load shedding instead of the process's own: the tests
   *  of shedding inject pressure with them rather than by making the machine busy. */
  pressureReadings?: PressureReadings;
}

export async function buildApp(options: AppOptions = {}) {
  const opts: ServiceOptions = { ...defaultOptions, ...options };
  const memoryBudgetBytes = opts.memoryBudgetBytes > 0 ? opts.memoryBudgetBytes : defaultBudgetBytes();
  const logger = options.logger === false ? createLogger({ level: 'silent' }) : createLogger({ level: options.logger?.level ?? opts.logLevel, stream: options.logger?.stream });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit,
    // A caller's X-Request-Id is kept (Fastify's own option), so its logs and ours share the id;
    // without one, a UUID. pino writes any id as a JSON string, so it cannot forge a log line.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    routerOptions: { maxParamLength: 200 },
    // Errors Fastify raises before routing (a malformed URL) leave as catalog problems too.
    frameworkErrors: (error, request, reply) => sendError(error, request, reply, opts.bodyLimit),
    // A client that stops sending mid-body is cut off rather than holding a socket forever.
    requestTimeout: 120_000,
    // Malformed HTTP, oversized headers, timeouts: answered from the catalog too.
    clientErrorHandler: (err, socket) => answerClientError(logger, err, socket),
    // Shutdown is app.drain's (http/lifecycle.ts): requests that arrive while it runs are served.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Every answer names its request (set when it arrives: no onSend hook per answer).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  await app.register(errorsPlugin, { bodyLimit: opts.bodyLimit });
  await app.register(lifecycle, { maxConnections: opts.maxConnections, bodyLimit: opts.bodyLimit });
  await app.register(lossPool, {
    workers: opts.workers,
    workerNice: opts.workerNice,
    inlineThreshold: opts.inlineThreshold,
    maxQueue: opts.maxQueue,
    deadlineMs: opts.requestDeadlineMs,
    workerHeapMiB: heapLimitMiB(memoryBudgetBytes),
  });
  await app.register(admission, { memoryBudgetBytes, bodyLimit: opts.bodyLimit });
  await app.register(metricsPlugin);
  await app.register(compression);
  await app.register(protection, { ...opts, pressureReadings: options.pressureReadings, onShed: (reason) => app.metrics.shed.inc({ reason }) });
  await app.register(docsPlugin);
  await app.register(lossRoute);
  await app.register(checkRoute);
  await app.register(catalogRoute);
  await app.register(healthRoute);
  await app.register(problemsRoute);
  await app.register(plotsRoute);
  await app.register(exploreRoute);
  await app.register(v2Routes, { binaryBodyLimit: opts.binaryBodyLimit, jsonBodyLimit: opts.bodyLimit });
  return app;
}
