// The two renderings of a catalog error: RFC 9457 problem+json for the REST routes and the
// Open Inference Protocol's {"error": "..."} for /v2.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemKinds, problemTypeUri, type ServiceError } from './catalog.ts';

export const isV2 = (url: string) => url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?');

/** The problem+json text of `err` for a request to `url`. */
export function problemJson(err: ServiceError, url: string, requestId: string): string {
  const body: Record<string, unknown> = {
    type: problemTypeUri(err.code),
    title: problemKinds[err.code].title,
    status: err.status,
    detail: err.message,
    instance: url.split('?')[0],
    code: err.code,
    request_id: requestId,
  };
  if (err.field !== undefined) body.field = err.field;
  if (err.index !== undefined) body.index = err.index;
  return JSON.stringify(body);
}

/** The protocol's error text of `err`. */
export const v2ErrorJson = (err: ServiceError) => JSON.stringify({ error: err.message });

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: ServiceError) {
  if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter));
  return reply.code(err.status).type('application/problem+json').send(problemJson(err, request.url, request.id));
}

export function sendV2Error(reply: FastifyReply, err: ServiceError) {
  if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter));
  // Exactly application/json, as the protocol's clients compare it (KServe's reads an error's text
  // only then); a Buffer keeps Fastify from appending a charset.
  return reply.code(err.status).type('application/json').send(Buffer.from(v2ErrorJson(err)));
}
