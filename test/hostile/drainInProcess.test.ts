// app.drain() in this process (the SIGTERM tests run the service as a child): readiness turns
// 503 at once, an upload in flight is answered, one stalled past the grace gets the 503, and the
// drain reports what it cut short.
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { expect, test } from 'vitest';
import { buildTestApp } from '../support/testApp.ts';
import { send } from '../support/rawHttp.ts';

async function listening() {
  const app = await buildTestApp({ workers: 1 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

test('an upload in flight when the drain starts is answered 200 with Connection: close; readiness is 503 meanwhile', async () => {
  const { app, url } = await listening();
  let drained: Promise<{ cutShort: number }> | undefined;
  const body = Buffer.from(JSON.stringify({ loss: 'mse', predictions: [1, 2], targets: [1, 3] }));
  const answer = await send(`${url}/loss`, {
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    body: (async function* () {
      yield body.subarray(0, 10);
      drained = app.drain(5000);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'draining' });
      await new Promise((r) => setTimeout(r, 200));
      yield body.subarray(10);
    })(),
  });
  expect(answer.status).toBe(200);
  expect(answer.headers.connection).toBe('close');
  expect((await drained!).cutShort).toBe(0);
  expect(app.server.listening).toBe(false);
  await app.close();
});

test('an upload stalled past the grace gets 503 not_ready, and the drain counts it', async () => {
  const { app, url } = await listening();
  let drained: Promise<{ cutShort: number }> | undefined;
  const answer = await send(`${url}/loss`, {
    headers: { 'content-type': 'application/json', 'content-length': '1000' },
    body: (async function* () {
      yield Buffer.from('{"loss":"mse"');
      drained = app.drain(300);
      await new Promise((r) => setTimeout(r, 5000));
    })(),
    timeoutMs: 4000,
  });
  expect(answer.status).toBe(503);
  expect(JSON.parse(answer.body)).toMatchObject({ code: 'not_ready' });
  expect((await drained!).cutShort).toBe(1);
  await app.close();
});

test('a connection that has not sent its first request when the drain starts is waited for: its request, sent 1 s later, is answered 200', async () => {
  const { app } = await listening();
  const { port } = app.server.address() as AddressInfo;
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  // The server has accepted it before the drain starts.
  await new Promise((r) => setTimeout(r, 100));
  const drained = app.drain(5000);
  // Longer than the quiet time after which an idle connection that already carried a request is
  // closed: a client that connected and is slow to write (a busy machine) is not reset.
  await new Promise((r) => setTimeout(r, 1000));
  let received = '';
  socket.on('data', (d) => (received += d));
  const body = JSON.stringify({ loss: 'mse', predictions: [1, 2], targets: [1, 3] });
  socket.write(`POST /loss HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
  await once(socket, 'close');
  expect(received).toMatch(/^HTTP\/1\.1 200 /);
  expect(received.toLowerCase()).toContain('connection: close');
  expect((await drained).cutShort).toBe(0);
  await app.close();
});

test('a keep-alive connection idle after its answer is closed by the drain, which then ends', async () => {
  const { app } = await listening();
  const { port } = app.server.address() as AddressInfo;
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
  await once(socket, 'data');
  const closed = once(socket, 'close');
  const report = await app.drain(10_000);
  await closed;
  expect(report.cutShort).toBe(0);
  // Closed as quiet, long before the grace period ran out.
  expect(report.ms).toBeLessThan(10_000);
  await app.close();
});
