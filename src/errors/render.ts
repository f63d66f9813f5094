// The two renderings of a catalog error: RFC 9457 problem+json for the REST routes and the
// Open Inference Protocol's {"error": "..."} for /v2.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemKinds, problemTypeUri, type ServiceError } from './catalog.ts';

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: ServiceError) {
  if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter));
  const body: Record<string, unknown> = {
    type: problemTypeUri(err.code),
    title: problemKinds[err.code].title,
    status: err.status,
    detail: err.message,
    instance: request.url.split('?')[0],
    code: err.code,
    request_id: request.id,
  };
  if (err.field !== undefined) body.field = err.field;
  if (err.index !== undefined) body.index = err.index;
  return reply.code(err.status).type('application/problem+json').send(JSON.stringify(body));
}

export function sendV2Error(reply: FastifyReply, err: ServiceError) {
  if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter));
  return reply.code(err.status).type('application/json').send(JSON.stringify({ error: err.message }));
}
