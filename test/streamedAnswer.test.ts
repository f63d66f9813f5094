// A large all-binary v2 answer streams: its header and the gradient's first ranges leave while
// later ranges compute (streamedInferAnswer.ts). The bytes are those of the inline computation;
// a result that overflows after the header left cuts the connection instead of a wrong 200.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from './support/testApp.ts';
import { findLoss } from '../src/losses/registry.ts';
import { prepareLossTask } from '../src/validation/prepareLossTask.ts';
import { SPLIT_THRESHOLD } from '../src/pool/lossPool.ts';
import type { KernelProgress } from '../src/task/lossTask.ts';
import { v2BinaryBody } from '../load/support/bodies.ts';
import { inferRequest, parseInferResponse } from '../load/support/v2client.ts';
import { rng } from '../load/support/random.ts';

let app: FastifyInstance;
let port: number;
const logged: string[] = [];
beforeAll(async () => {
  app = await buildTestApp({ logger: { level: 'warn', stream: { write: (line: string) => logged.push(line) } }, workers: 2 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
  await app.lossPool.ready;
});
afterAll(() => app.close());

const n = SPLIT_THRESHOLD * 3 + 1234;

/** POST over a real socket: status, headers, the bytes received, and whether the body ended or
 *  the connection was cut. */
function post(path: string, body: Buffer, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer; complete: boolean }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-length': String(body.byteLength) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = (complete: boolean) => resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks), complete });
      res.on('end', () => done(res.complete));
      res.on('error', () => done(false));
      res.on('aborted', () => done(false));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function inline(loss: string, predictions: Float32Array, targets: Float32Array) {
  const def = findLoss(loss)!;
  return app.lossPool.runInline(
    prepareLossTask({
      def,
      predictions: { data: Float32Array.from(predictions), shape: [predictions.length] },
      targets: { data: Float32Array.from(targets), shape: [targets.length] },
      params: def.params.parse({}),
      reduction: 'mean',
      wantPerSample: true,
      wantGradient: true,
      regularization: null,
    }),
  );
}

describe('a streamed binary answer', () => {
  test('the pool reports the kernel phase: start once, then the computed prefix growing to the end, before the run resolves', async () => {
    const def = findLoss('mse')!;
    const shared = (k: number) => new Float32Array(new SharedArrayBuffer(4 * k));
    const x = shared(n).fill(1.5);
    const t = shared(n).fill(0.5);
    const events: string[] = [];
    const progress: KernelProgress = {
      start: (step) => events.push(`start ${step.denominator} ${step.gradient?.length}`),
      done: (elements) => events.push(`done ${elements}`),
    };
    const task = prepareLossTask({ def, predictions: { data: x, shape: [n] }, targets: { data: t, shape: [n] }, params: def.params.parse({}), reduction: 'mean', wantPerSample: false, wantGradient: true, regularization: null });
    const result = await app.lossPool.run(task, { progress });
    events.push('resolved');
    expect(events[0]).toBe(`start ${n} ${n}`);
    expect(events.at(-1)).toBe('resolved');
    const done = events.slice(1, -1).map((e) => Number(e.split(' ')[1]));
    // One report per growth of the finished prefix: as many as the ranges when they finish in
    // order, fewer when a later range finishes first (a busy machine), never none.
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.at(-1)).toBe(n);
    for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThan(done[i - 1]);
    expect(result.value).toBe(1);
  });

  test('bce_with_logits over a socket: gradient first, the same bytes as inline, every output', async () => {
    const r = rng(5);
    const logits = Float32Array.from({ length: n }, () => r.normal() * 3);
    const labels = Float32Array.from({ length: n }, () => r.uniform());
    const { body, headers } = v2BinaryBody(
      [
        { name: 'predictions', shape: [n], datatype: 'FP32', data: logits },
        { name: 'targets', shape: [n], datatype: 'FP32', data: labels },
      ],
      {},
      ['value', 'per_sample', 'gradient'],
    );
    const res = await post('/v2/models/bce_with_logits/infer', body, headers);
    expect(res.status).toBe(200);
    expect(res.complete).toBe(true);
    expect(res.bytes.byteLength).toBe(Number(res.headers['content-length']));
    const { json, outputs } = parseInferResponse(res.bytes, res.headers);
    expect(json.outputs.map((o: { name: string }) => o.name)).toEqual(['gradient', 'value', 'per_sample']);
    expect(json.parameters).toMatchObject({ reduction: 'mean', denominator: n, precision: 'float64' });
    const want = inline('bce_with_logits', logits, labels);
    // parseInferResponse widens FP32 to numbers exactly: equal numbers are equal bits.
    expect(outputs.get('gradient')!.data).toEqual(Array.from(want.gradient!));
    expect(outputs.get('per_sample')!.data).toEqual(Array.from(want.perSample!));
    expect(outputs.get('value')!.data[0]).toBe(Math.fround(want.value));
  });

  test('a value that overflows after the header left: the connection is cut short, and the log says why', async () => {
    // (x − y)² of 1e200 overflows float64 though every input is finite: an inline request gets
    // 422; this one's 200 status line has left before the kernel saw it.
    const x = new Float64Array(n).fill(1);
    x[n - 5] = 1e200;
    const y = new Float64Array(n);
    const { body, headers } = v2BinaryBody(
      [
        { name: 'predictions', shape: [n], datatype: 'FP64', data: x },
        { name: 'targets', shape: [n], datatype: 'FP64', data: y },
      ],
      {},
      ['value', 'gradient'],
    );
    const res = await post('/v2/models/mse/infer', body, headers);
    expect(res.status).toBe(200);
    expect(res.complete).toBe(false);
    expect(res.bytes.byteLength).toBeLessThan(Number(res.headers['content-length']));
    await expect.poll(() => logged.some((l) => l.includes('streamed answer cut short') && l.includes('overflows float64'))).toBe(true);
    // The service goes on answering.
    const small = await app.inject({ method: 'POST', url: '/v2/models/mse/infer', payload: { inputs: [
      { name: 'predictions', shape: [2], datatype: 'FP64', data: [1e200, 1] },
      { name: 'targets', shape: [2], datatype: 'FP64', data: [0, 0] },
    ] } });
    expect(small.statusCode).toBe(422);
  });

  test('an answer with a JSON output (the value in the header) is not streamed: it waits for the result', async () => {
    const x = new Float64Array(n).fill(2);
    const y = new Float64Array(n);
    const { payload, headers } = inferRequest(
      [
        { name: 'predictions', shape: [n], datatype: 'FP64', data: x, binary: true },
        { name: 'targets', shape: [n], datatype: 'FP64', data: y, binary: true },
      ],
      { outputs: [{ name: 'value', parameters: { binary_data: false } }, { name: 'gradient', parameters: { binary_data: true } }] },
    );
    const res = await post('/v2/models/mse/infer', payload, headers);
    expect(res.status).toBe(200);
    expect(res.complete).toBe(true);
    const { json, outputs } = parseInferResponse(res.bytes, res.headers);
    expect(json.outputs.map((o: { name: string }) => o.name)).toEqual(['value', 'gradient']);
    expect(json.outputs[0].data).toEqual([4]);
    expect(outputs.get('gradient')!.data[n - 1]).toBe(4 / n);
  });
});
