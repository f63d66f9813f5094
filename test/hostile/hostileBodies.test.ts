// Bodies built to kill the process: each is answered 4xx in bounded time and memory, and the
// service goes on answering.
import net from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { memoryOf } from '../../load/support/service.ts';
import { startService, type RunningService } from '../support/testApp.ts';
import { pausedAfterFirst, repeated, send } from '../support/rawHttp.ts';

const MiB = 2 ** 20;
let service: RunningService;
beforeAll(async () => {
  service = await startService({ WORKERS: '2', BODY_LIMIT: String(64 * MiB), BINARY_BODY_LIMIT: String(256 * MiB), MEMORY_BUDGET_BYTES: String(512 * MiB) });
});
afterAll(() => service.stop());

async function alive() {
  const res = await fetch(`${service.url}/healthz`);
  expect(res.status).toBe(200);
  expect(service.child.exitCode).toBeNull();
}

test('POST /loss nested 60 MiB deep: 400 before the body has been sent', async () => {
  const answer = await send(`${service.url}/loss`, {
    headers: { 'content-type': 'application/json', 'content-length': String(60 * MiB) },
    body: pausedAfterFirst(repeated('[', 60 * MiB)),
  });
  expect(answer.status).toBe(400);
  expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_body', detail: expect.stringMatching(/nested deeper than 32/) });
  expect(answer.sentBeforeAnswer).toBeLessThan(16 * MiB); // at most what the sockets' buffers hold
  await alive();
  expect((await memoryOf(service.child.pid!)).peak).toBeLessThan(400 * MiB);
});

test('a 1 MB body nested too deep, sent whole: its 400 is read, not reset, and the connection serves the next request', async () => {
  // Refused after its first chunk; a small body of announced length is read to its end and
  // discarded rather than the socket closed under a client still writing (EPIPE, no answer).
  const body = Buffer.alloc(MiB, '[');
  const port = Number(new URL(service.url).port);
  const received = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(`POST /loss HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body);
    // The second request closes the connection after its answer: the end of what is read.
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });
  const answers = received.split(/(?=HTTP\/1\.1 )/);
  expect(answers.map((a) => a.slice(0, 12))).toEqual(['HTTP/1.1 400', 'HTTP/1.1 200']);
  expect(answers[0].toLowerCase()).not.toContain('connection: close');
  expect(answers[0]).toMatch(/nested deeper than 32/);
  await alive();
});

test('a small body nested 30,000 deep (60 KB, well-formed JSON, parsed whole): 400 naming the depth, and the service goes on', async () => {
  for (const body of [`${'['.repeat(30_000)}${']'.repeat(30_000)}`, `{"loss":"mse","predictions":[1],"targets":[1],"params":${'{"a":'.repeat(6_000)}1${'}'.repeat(6_000)}}`]) {
    const res = await fetch(`${service.url}/loss`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_body', detail: expect.stringMatching(/the body is nested deeper than 32 levels/) });
  }
  // Tensors are taken out before the rest is walked: their decoders stop at rank 8.
  const deepTensor = `{"loss":"mse","predictions":${'['.repeat(20_000)}1${']'.repeat(20_000)},"targets":[1]}`;
  const res = await fetch(`${service.url}/loss`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deepTensor });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ code: 'invalid_tensor', detail: expect.stringMatching(/predictions is nested deeper than rank 8/) });
  await alive();
});

test('the same depth attack chunked (no Content-Length): 400 at once', async () => {
  const answer = await send(`${service.url}/loss`, { headers: { 'content-type': 'application/json' }, body: pausedAfterFirst(repeated('[', 8 * MiB)) });
  expect(answer.status).toBe(400);
  expect(answer.headers.connection).toBe('close'); // the rest of a refused body is not read
  await alive();
});

test('a v2 "binary" header that is really a 100 MiB JSON document: 413 under the JSON limit, unread', async () => {
  const size = 100 * MiB;
  const answer = await send(`${service.url}/v2/models/mse/infer`, {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size), 'inference-header-content-length': String(size) },
    body: pausedAfterFirst(repeated(' ', size)),
  });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body).error).toMatch(/JSON header .*BODY_LIMIT/);
  expect(answer.sentBeforeAnswer).toBeLessThan(16 * MiB); // at most what the sockets' buffers hold
  await alive();
});

test('a chunked v2 body announcing a 10^12-byte header: 413, not 500', async () => {
  const answer = await send(`${service.url}/v2/models/mse/infer`, {
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': '1000000000000' },
    body: pausedAfterFirst(repeated('{', 4096, 1024)),
  });
  expect(answer.status).toBe(413);
  expect(Object.keys(JSON.parse(answer.body))).toEqual(['error']);
  await alive();
});

test('v2 JSON data nested 10,000 deep: 400', async () => {
  const data = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
  const body = `{"inputs":[{"name":"predictions","shape":[1],"datatype":"FP64","data":${data}},{"name":"targets","shape":[1],"datatype":"FP64","data":[1]}]}`;
  const res = await fetch(`${service.url}/v2/models/mse/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: string }).error).toMatch(/nested deeper/);
  await alive();
});

test('a 10^6-element array of empty arrays (40 B each once parsed) is admitted by its parsed size, not its 3 MB', async () => {
  const body = `{"loss":"mse","predictions":[${Array(1_000_000).fill('[]').join(',')}],"targets":[1]}`;
  const res = await fetch(`${service.url}/loss`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { detail: string }).detail).toContain('[1000000, 0]');
  await alive();
});
