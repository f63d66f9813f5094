// What the HTTP parser refuses before Fastify sees a request (bad request line, oversized
// headers, a body that never arrives) is answered from the catalog too.
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { buildTestApp } from '../support/testApp.ts';
import { answerClientError } from '../../src/errors/clientErrors.ts';

let app: Awaited<ReturnType<typeof buildTestApp>>;
let port: number;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as net.AddressInfo).port;
});
afterAll(() => app.close());

/** Sends raw bytes and reads until the server closes. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (c) => (out += c.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

function parse(answer: string) {
  const [head, body] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head: head.toLowerCase(), body: JSON.parse(body) };
}

test('a malformed request line: 400 problem+json with the catalog code', async () => {
  const res = parse(await raw('GARBAGE\r\n\r\n'));
  expect(res.status).toBe(400);
  expect(res.head).toContain('content-type: application/problem+json');
  expect(res.body).toMatchObject({ status: 400, code: 'bad_request', type: '/problems/bad_request' });
});

test('headers over 16 KiB: 431 problem+json', async () => {
  const res = parse(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
  expect(res.status).toBe(431);
  expect(res.body).toMatchObject({ status: 431, code: 'headers_too_large' });
});

test("a body that times out: 408, problem+json, or the protocol's {\"error\"} on a v2 route", () => {
  const answers: string[] = [];
  const fakeSocket = (url: string) => {
    const socket = new PassThrough() as unknown as net.Socket & { parser: unknown };
    socket.parser = { incoming: { url } };
    (socket as unknown as PassThrough).on('data', (c: Buffer) => answers.push(c.toString()));
    return socket;
  };
  const log = { info: () => undefined } as unknown as FastifyBaseLogger;
  const timeout = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
  answerClientError(log, timeout, fakeSocket('/loss'));
  answerClientError(log, timeout, fakeSocket('/v2/models/mse/infer'));
  const [rest, v2] = answers.map(parse);
  expect(rest.status).toBe(408);
  expect(rest.body).toMatchObject({ code: 'request_timeout', instance: '/loss' });
  expect(v2.status).toBe(408);
  expect(Object.keys(v2.body)).toEqual(['error']);
  expect(v2.head).toContain('content-type: application/json');
});

test('text/plain on POST /loss is 415; a literal past float64 (1e400) is refused naming its tensor and index', async () => {
  const plain = await app.inject({ method: 'POST', url: '/loss', payload: 'x', headers: { 'content-type': 'text/plain' } });
  expect(plain.statusCode).toBe(415);
  expect(plain.json()).toMatchObject({ code: 'unsupported_media_type' });
  const huge = await app.inject({ method: 'POST', url: '/loss', payload: '{"loss":"mse","predictions":[1,1e400],"targets":[1,1]}', headers: { 'content-type': 'application/json' } });
  expect(huge.statusCode).toBe(400);
  expect(huge.json()).toMatchObject({ code: 'invalid_tensor', field: 'predictions', index: 1 });
  const v2 = await app.inject({
    method: 'POST',
    url: '/v2/models/mse/infer',
    payload: '{"inputs":[{"name":"predictions","shape":[2],"datatype":"FP64","data":[1,-1e400]},{"name":"targets","shape":[2],"datatype":"FP64","data":[1,1]}]}',
    headers: { 'content-type': 'application/json' },
  });
  expect(v2.statusCode).toBe(400);
  expect(v2.json().error).toMatch(/predictions.*element 1/);
});
