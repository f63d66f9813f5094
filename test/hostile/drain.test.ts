// SIGTERM loses nothing: every request in flight is answered (none reset), uploads still arriving
// within the grace period finish, one that stalls past it gets a 503, and the exit code is 0.
import { once } from 'node:events';
import http from 'node:http';
import { afterAll, expect, test, type ExpectStatic } from 'vitest';
import { startService, type RunningService } from '../support/testApp.ts';
import { classificationData, v2BinaryBody } from '../../load/support/bodies.ts';
import { send } from '../support/rawHttp.ts';

const RUNS = Number(process.env.DRAIN_RUNS ?? 3);

/** Requests on keep-alive connections, as a client pool sends them. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
afterAll(() => agent.destroy());

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, error: err.code ?? err.message }));
    req.end(body);
  });
}

async function exitCode(service: RunningService): Promise<number | null> {
  const [code] = (await once(service.child, 'exit')) as [number | null];
  return code;
}

/** The 50-in-flight drain, RUNS times, with the service started by `how`. Under `npm start` the
 *  signal goes to npm (which forwards it, as `docker stop` or a process manager would reach it)
 *  in even runs, and to the whole process group (a terminal's Ctrl-C, `kill -- -pgid`: npm and
 *  the service both receive it, and npm forwards its copy too) in odd runs. */
async function drainRuns(how: 'node' | 'npm start', expect: ExpectStatic) {
  // 40k × 10 FP32 cross_entropy: ~10 ms of kernel each, so 50 keep two workers busy ~0.3 s.
  const { logits, labels } = classificationData(40_000, 10);
  const { body, headers } = v2BinaryBody(
    [
      { name: 'predictions', shape: [40_000, 10], datatype: 'FP32', data: logits },
      { name: 'targets', shape: [40_000], datatype: 'INT64', data: labels },
    ],
    {},
    ['value'],
  );
  const outcomes: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    const service = await startService({ WORKERS: '2', INLINE_THRESHOLD: '0', MAX_QUEUE: '64' }, undefined, '/readyz', { npmStart: how === 'npm start' });
    const url = `${service.url}/v2/models/cross_entropy/infer`;
    // Warm keep-alive connections first, so that some of the 50 travel on reused sockets.
    await Promise.all(Array.from({ length: 8 }, () => post(url, body, headers)));
    const exited = exitCode(service);
    const requests = Array.from({ length: 50 }, () => post(url, body, headers));
    // The signal lands at a different point of the burst in each run.
    await new Promise((r) => setTimeout(r, 5 + ((run * 37) % 120)));
    const toGroup = how === 'npm start' && run % 2 === 1;
    if (toGroup) process.kill(-service.child.pid!, 'SIGTERM');
    else service.child.kill('SIGTERM');
    const answers = await Promise.all(requests);
    const code = await exited;
    const statuses = answers.map((a) => a.status);
    outcomes.push(`${statuses.filter((s) => s === 200).length}/50 exit ${code}${toGroup ? ' (group)' : ''}`);
    expect(answers.filter((a) => a.error !== undefined).map((a) => a.error), `run ${run}`).toEqual([]);
    expect(statuses, `run ${run}`).toEqual(Array(50).fill(200));
    expect(code, `run ${run}`).toBe(0);
  }
  console.log(`drain under ${how}: ${outcomes.join(', ')}`);
}

// Each run starts a service (~1 s); npm test runs a few, CI runs 20 of each (DRAIN_RUNS=20). The
// two loops run side by side (each service on its own port), which also loads the machine.
test.concurrent(`SIGTERM with 50 requests in flight, ${RUNS} times, the service started by node: 50 answered 200 each time, none reset, exit 0`, ({ expect }) => drainRuns('node', expect), 60_000 + RUNS * 15_000);

test.concurrent(`SIGTERM with 50 requests in flight, ${RUNS} times, the service started by npm start: the same`, ({ expect }) => drainRuns('npm start', expect), 60_000 + RUNS * 15_000);

test('an upload still arriving at SIGTERM finishes within the grace period and is answered 200; exit 0', async () => {
  const service = await startService({ WORKERS: '1', SHUTDOWN_GRACE_SECONDS: '10' });
  const exited = exitCode(service);
  const body = Buffer.from(JSON.stringify({ loss: 'mse', predictions: Array(20_000).fill(0.5), targets: Array(20_000).fill(1) }));
  const answer = send(`${service.url}/loss`, {
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    body: (async function* () {
      yield body.subarray(0, 1000);
      await new Promise((r) => setTimeout(r, 300));
      service.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500)); // the upload goes on during the drain
      yield body.subarray(1000);
    })(),
  });
  const res = await answer;
  expect(res.status).toBe(200);
  expect(res.headers.connection).toBe('close');
  expect(JSON.parse(res.body).value).toBe(0.25);
  expect(await exitCode(service).catch(() => service.child.exitCode)).toBe(0);
  await exited;
}, 60_000);

test('an upload that stalls past the grace period is answered 503 (Connection: close) and the exit is still 0', async () => {
  const service = await startService({ WORKERS: '1', SHUTDOWN_GRACE_SECONDS: '3' });
  const exited = exitCode(service);
  let clientResumed = false;
  const res = await send(`${service.url}/loss`, {
    headers: { 'content-type': 'application/json', 'content-length': '100000' },
    body: (async function* () {
      yield Buffer.from('{"loss":"mse","predictions":[');
      await new Promise((r) => setTimeout(r, 300));
      service.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 20_000)); // never sends the rest
      clientResumed = true;
    })(),
    timeoutMs: 30_000,
  });
  expect(res.status).toBe(503);
  expect(JSON.parse(res.body)).toMatchObject({ code: 'not_ready', detail: expect.stringMatching(/grace period/) });
  expect(res.headers.connection).toBe('close');
  expect(clientResumed).toBe(false); // answered at the end of the grace, not when the client gave up
  expect(await exited).toBe(0);
}, 60_000);

test('the stop signal twice at once (npm forwarding it, or a process group) does not cut the drain short; a second one later exits at once with 1', async () => {
  const service = await startService({ WORKERS: '1', SHUTDOWN_GRACE_SECONDS: '20' });
  const exited = exitCode(service);
  // An upload that stalls keeps the drain going for as long as the test needs.
  const stalled = send(`${service.url}/loss`, {
    headers: { 'content-type': 'application/json', 'content-length': '100000' },
    body: (async function* () {
      yield Buffer.from('{"loss":"mse","predictions":[');
      await new Promise((r) => setTimeout(r, 30_000));
    })(),
    timeoutMs: 30_000,
  }).catch((err: Error) => err);
  await new Promise((r) => setTimeout(r, 300));
  service.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 5));
  service.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1200));
  expect(service.child.exitCode).toBeNull(); // still draining
  expect((await fetch(`${service.url}/readyz`)).status).toBe(503);
  service.child.kill('SIGINT');
  expect(await exited).toBe(1);
  await stalled;
}, 60_000);
