// Root error and not-found handlers: every failure leaves as a catalog problem; 5xx are logged
// with their stack, which never reaches the response.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from './catalog.ts';
import { toServiceError } from './toServiceError.ts';
import { isV2, sendProblem, sendV2Error } from './render.ts';

/** Renders any error as the catalog problem of the route's family (also Fastify's frameworkErrors). */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, bodyLimit: number) {
  const err = toServiceError(error, { bodyLimit, contentType: request.headers['content-type'] });
  // Only a failure of the service's own is an error with its stack; a refusal to protect the
  // service (503 overloaded or shutting down, 504 deadline) is a warning, a client's mistake info.
  if (err.code === 'internal') request.log.error({ err: error, code: err.code }, 'request failed');
  else if (err.status >= 500) request.log.warn({ code: err.code }, err.message);
  else request.log.info({ code: err.code, field: err.field, index: err.index }, err.message);
  return isV2(request.url) ? sendV2Error(reply, err) : sendProblem(request, reply, err);
}

async function errorsPlugin(app: FastifyInstance, opts: { bodyLimit: number }) {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, opts.bodyLimit));

  app.setNotFoundHandler((request, reply) => {
    const err = new ServiceError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
    return isV2(request.url) ? sendV2Error(reply, err) : sendProblem(request, reply, err);
  });
}

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x' });
