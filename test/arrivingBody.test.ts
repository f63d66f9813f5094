// A large binary v2 request is computed while its body arrives (lossPool.ts, runArriving): each
// range is checked and its kernel run as soon as its predictions and targets are in. Its answer
// must be, byte for byte, the one the same request gets when its body is read whole first (a
// chunked body, without Content-Length, is); its refusals the same, after the body's end; a client
// that leaves mid-body must cost nothing but its request.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from './support/testApp.ts';
import { SPLIT_THRESHOLD } from '../src/pool/lossPool.ts';
import { inferRequest, type V2Input } from '../load/support/v2client.ts';
import { rng } from '../load/support/random.ts';

let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  app = await buildTestApp({ logger: { level: 'silent' }, workers: 2 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
  await app.lossPool.ready;
});
afterAll(() => app.close());

interface Answer {
  status: number;
  bytes: Buffer;
}

/** Sends `body` in `pieces` writes with a pause after each: with Content-Length (`slow`), or in
 *  chunked transfer (`whole`: the service reads such a body to its end before computing). */
function send(path: string, body: Buffer, headers: Record<string, string>, mode: 'slow' | 'whole', pieces = 24): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: mode === 'slow' ? { ...headers, 'content-length': String(body.byteLength) } : headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, bytes: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    if (mode === 'whole') return req.end(body);
    const size = Math.ceil(body.byteLength / pieces);
    const next = (i: number) => {
      if (i * size >= body.byteLength) return req.end();
      req.write(body.subarray(i * size, (i + 1) * size));
      setTimeout(() => next(i + 1), 3);
    };
    next(0);
  });
}

// Targets of 1 MiB or more: INT64 class indices are shared (SHARED_CHUNK_BYTES) only from there.
const rows = 140_000;
const n = SPLIT_THRESHOLD + 4321;
const random = rng(7);
const floats = (k: number, scale = 3) => Float32Array.from({ length: k }, () => random.uniform(-scale, scale));
const classes = (k: number, ignored = 0) => BigInt64Array.from({ length: k }, (_, i) => (i % 97 < ignored ? -100n : BigInt(random.int(10))));

function body(inputs: Omit<V2Input, 'binary'>[], parameters: Record<string, unknown> = {}) {
  return inferRequest(
    inputs.map((t) => ({ ...t, binary: true })),
    { parameters: { binary_data_output: true, ...parameters }, outputs: [{ name: 'value' }, { name: 'per_sample' }, { name: 'gradient' }] },
  );
}

async function bothWays(loss: string, request: ReturnType<typeof body>) {
  const path = `/v2/models/${loss}/infer`;
  const before = { ...app.lossPool.stats };
  const slow = await send(path, request.payload, request.headers, 'slow');
  const after = { ...app.lossPool.stats };
  const whole = await send(path, request.payload, request.headers, 'whole');
  return { slow, whole, arriving: after.arriving - before.arriving, rescaled: after.rescaled - before.rescaled };
}

describe('a large binary request computed as its body arrives', () => {
  const cases: { name: string; loss: string; request: () => ReturnType<typeof body>; rescaled: number }[] = [
    {
      name: 'cross_entropy, INT64 class indices',
      loss: 'cross_entropy',
      request: () => body([{ name: 'predictions', shape: [rows, 10], datatype: 'FP32', data: floats(rows * 10) }, { name: 'targets', shape: [rows], datatype: 'INT64', data: classes(rows) }]),
      rescaled: 0,
    },
    {
      // The mean is over the targets that are not ignored: the kernels run again with its scale.
      name: 'cross_entropy with ignored targets',
      loss: 'cross_entropy',
      request: () => body([{ name: 'predictions', shape: [rows, 10], datatype: 'FP32', data: floats(rows * 10) }, { name: 'targets', shape: [rows], datatype: 'INT64', data: classes(rows, 5) }]),
      rescaled: 1,
    },
    {
      name: 'bce_with_logits, FP32, pos_weight in the header',
      loss: 'bce_with_logits',
      request: () => body([{ name: 'predictions', shape: [n], datatype: 'FP32', data: floats(n) }, { name: 'targets', shape: [n], datatype: 'FP32', data: Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)) }], { pos_weight: 2.5 }),
      rescaled: 0,
    },
    {
      name: 'mse, FP64, reduction sum, targets first in the body',
      loss: 'mse',
      request: () => body([{ name: 'targets', shape: [n], datatype: 'FP64', data: Float64Array.from(floats(n)) }, { name: 'predictions', shape: [n], datatype: 'FP64', data: Float64Array.from(floats(n, 1e3)) }], { reduction: 'sum' }),
      rescaled: 0,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: the answer of the body read whole, byte for byte`, async () => {
      const { slow, whole, arriving, rescaled } = await bothWays(c.loss, c.request());
      expect(whole.status).toBe(200);
      expect(slow.status).toBe(200);
      expect(arriving).toBe(1);
      expect(rescaled).toBe(c.rescaled);
      expect(slow.bytes.equals(whole.bytes)).toBe(true);
    });
  }

  test('class weights sent last as a binary input: prepared again once they are in, the answer of the body read whole', async () => {
    const weight = Float32Array.from([1, 2, 0.5, 3, 1, 1, 0.25, 4, 1, 2]);
    const request = body([
      { name: 'predictions', shape: [rows, 10], datatype: 'FP32', data: floats(rows * 10) },
      { name: 'targets', shape: [rows], datatype: 'INT64', data: classes(rows) },
      { name: 'weight', shape: [10], datatype: 'FP32', data: weight },
    ]);
    const { slow, whole, arriving } = await bothWays('cross_entropy', request);
    expect(slow.status).toBe(200);
    expect(arriving).toBe(0);
    expect(slow.bytes.equals(whole.bytes)).toBe(true);
  });

  test('a NaN in the first range: the same 400, naming its element, once the body is in', async () => {
    const x = floats(n);
    x[5] = Number.NaN;
    const request = body([{ name: 'predictions', shape: [n], datatype: 'FP32', data: x }, { name: 'targets', shape: [n], datatype: 'FP32', data: floats(n) }]);
    const { slow, whole } = await bothWays('mse', request);
    expect(slow.status).toBe(400);
    expect(JSON.parse(slow.bytes.toString()).error).toContain('element 5 is NaN');
    expect(slow.bytes.equals(whole.bytes)).toBe(true);
  });

  test('a class index out of range in the last range: the same 400', async () => {
    const t = classes(rows);
    t[rows - 2] = 10n;
    const request = body([{ name: 'predictions', shape: [rows, 10], datatype: 'FP32', data: floats(rows * 10) }, { name: 'targets', shape: [rows], datatype: 'INT64', data: t }]);
    const { slow, whole } = await bothWays('cross_entropy', request);
    expect(slow.status).toBe(400);
    expect(JSON.parse(slow.bytes.toString()).error).toContain(String(rows - 2));
    expect(slow.bytes.equals(whole.bytes)).toBe(true);
  });

  test('a client that leaves mid-body: its ranges are dropped, nothing hangs, the next request is answered', async () => {
    const request = body([{ name: 'predictions', shape: [n], datatype: 'FP32', data: floats(n) }, { name: 'targets', shape: [n], datatype: 'FP32', data: floats(n) }]);
    const before = app.lossPool.stats.arriving;
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/v2/models/mse/infer', method: 'POST', headers: { ...request.headers, 'content-length': String(request.payload.byteLength) } });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      // The predictions and a quarter of the targets: the first ranges are computed, then it goes.
      req.write(request.payload.subarray(0, Math.floor(request.payload.byteLength * 0.6)), () => setTimeout(() => req.destroy(), 50));
    });
    for (let i = 0; i < 200 && app.lossPool.queueSize + app.lossPool.utilization > 0 && app.lossPool.stats.arriving === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.lossPool.stats.arriving).toBe(before + 1);
    const next = await send('/v2/models/mse/infer', request.payload, request.headers, 'slow', 4);
    expect(next.status).toBe(200);
  });
});
