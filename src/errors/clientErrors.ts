// Errors Node's HTTP parser meets before Fastify sees a request (malformed request line, headers
// over 16 KiB, a request that does not arrive within requestTimeout): answered from the same
// catalog as everything else, problem+json (or {"error"} when the request line named a /v2
// route), then the connection is closed.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { problemKinds, ServiceError } from './catalog.ts';
import { isV2, problemJson, v2ErrorJson } from './render.ts';

function errorOf(code: string | undefined): ServiceError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ServiceError('request_timeout', 'the request did not arrive in time: its headers and body must be sent within the request timeout');
    case 'HPE_HEADER_OVERFLOW':
      return new ServiceError('headers_too_large', 'the request line and headers exceed 16 KiB');
    default:
      return new ServiceError('bad_request', `the request is not valid HTTP/1.1 (${code ?? 'parse error'})`);
  }
}

export function answerClientError(log: FastifyBaseLogger, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = errorOf(err.code);
  // The URL is known when the request line was read before the failure (a body that stalls).
  const url: string = (socket as unknown as { parser?: { incoming?: { url?: string } } }).parser?.incoming?.url ?? '';
  const v2 = isV2(url);
  const body = v2 ? v2ErrorJson(problem) : problemJson(problem, url, randomUUID());
  log.info({ code: problem.code, parserCode: err.code }, problem.message);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${problem.status} ${problemKinds[problem.code].title}\r\n` +
      `Content-Type: ${v2 ? 'application/json' : 'application/problem+json'}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
