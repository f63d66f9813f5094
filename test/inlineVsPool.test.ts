// The inline path (main thread) and the worker path give the same bits: same kernel, same
// fixed block summation order, buffers moved not converted.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { findLoss } from '../src/losses/registry.ts';
import { prepareLossTask, slotTensors } from '../src/validation/prepareLossTask.ts';
import type { LossTask, LossResult } from '../src/task/lossTask.ts';
import { includeOf, labelView, valueCases } from './support/golden.ts';
import { rng } from '../load/support/random.ts';

let app: FastifyInstance;
beforeAll(async () => {
  // This file computes large tasks on its own main thread too: no event-loop-delay shedding here.
  app = await buildTestApp({ workers: 2 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

function goldenTask(c: (typeof valueCases)[number]): LossTask {
  const def = findLoss(c.loss)!;
  return prepareLossTask({
    def,
    ...slotTensors(def, (name) => (c.inputs[name] === undefined ? undefined : (labelView(c.inputs[name]) ?? { data: Float64Array.from(c.inputs[name].data), shape: c.inputs[name].shape }))),
    params: def.params.parse(c.params),
    reduction: c.reduction as LossTask['reduction'],
    wantPerSample: includeOf(c).includes('per_sample'),
    wantGradient: includeOf(c).includes('gradient'),
    regularization: c.regularization ? { l1: c.regularization.l1, l2: c.regularization.l2, parameters: Float64Array.from(c.regularization.parameters.data) } : null,
  });
}

/** A deep copy (the worker path detaches the task's buffers). */
function clone(task: LossTask): LossTask {
  return structuredClone(task);
}

const bytes = (a: ArrayBufferView | null) => (a === null ? null : Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'));

function expectSameBits(a: LossResult, b: LossResult) {
  expect(Object.is(a.value, b.value), `${a.value} vs ${b.value}`).toBe(true);
  expect(bytes(a.values ?? null)).toBe(bytes(b.values ?? null));
  expect(bytes(a.perSample)).toBe(bytes(b.perSample));
  expect(bytes(a.gradient)).toBe(bytes(b.gradient));
  expect(bytes(a.parametersGradient)).toBe(bytes(b.parametersGradient));
  expect(Object.keys(a.gradients)).toEqual(Object.keys(b.gradients));
  for (const name of Object.keys(a.gradients)) expect(bytes(a.gradients[name])).toBe(bytes(b.gradients[name]));
}

test('every golden case: inline and worker results are identical bit for bit', async () => {
  for (const c of valueCases) {
    const task = goldenTask(c);
    const inline = app.lossPool.runInline(clone(task));
    const pooled = await app.lossPool.runInWorker(clone(task));
    expectSameBits(inline, pooled);
  }
});

test('a large cross_entropy (200k x 10, many blocks): identical bit for bit, and the input buffers were moved', async () => {
  const r = rng(42);
  const n = 200_000;
  const c = 10;
  const task = prepareLossTask({
    def: findLoss('cross_entropy')!,
    predictions: { data: Float64Array.from({ length: n * c }, () => r.normal() * 3), shape: [n, c] },
    targets: { data: Float64Array.from({ length: n }, () => r.int(c)), shape: [n] },
    params: findLoss('cross_entropy')!.params.parse({ label_smoothing: 0.1 }),
    reduction: 'mean',
    wantPerSample: true,
    wantGradient: true,
    regularization: null,
  });
  const inline = app.lossPool.runInline(clone(task));
  const sent = clone(task);
  const pooled = await app.lossPool.runInWorker(sent);
  expect(sent.input.predictions.byteLength).toBe(0); // transferred, not copied
  expect(sent.input.targets.byteLength).toBe(0);
  expectSameBits(inline, pooled);
});

describe('a request split across the workers (shared arrays, data parallel)', () => {
  const shared = <T extends Float32Array | Float64Array | BigInt64Array>(make: (b: SharedArrayBuffer) => T, bytes: number) => make(new SharedArrayBuffer(bytes));

  function splitTask(loss: string, params: object, reduction: 'mean' | 'sum', n: number, c: number, raw: boolean) {
    const r = rng(9);
    const predictions = shared((b) => new Float32Array(b), n * c * 4);
    for (let i = 0; i < predictions.length; i++) predictions[i] = r.normal() * 3;
    const labels = shared((b) => new BigInt64Array(b), n * 8);
    for (let i = 0; i < n; i++) labels[i] = BigInt(r.int(c));
    const def = findLoss(loss)!;
    return () =>
      prepareLossTask({
        def,
        predictions: { data: predictions, shape: [n, c] },
        targets: raw ? { data: new Float64Array(0), shape: [n] } : { data: Float64Array.from(labels, Number), shape: [n] },
        rawTargets: raw ? labels : undefined,
        checkFinite: true,
        params: def.params.parse(params),
        reduction,
        wantPerSample: true,
        wantGradient: true,
        regularization: null,
      });
  }

  test.each([
    ['cross_entropy', { weight: [1, 2, 0.5, 1, 3, 1, 1, 2, 1, 0.25], label_smoothing: 0.1 }, 'mean'],
    ['nll', { weight: [0.3, 1.7, 1, 1, 1, 1, 1, 1, 1, 2] }, 'mean'],
    ['multi_margin', { p: 2 }, 'sum'],
  ] as const)('%s: split and inline give the same bits (INT64 targets converted in the workers)', async (loss, params, reduction) => {
    const make = splitTask(loss, params, reduction, 300_000, 10, true);
    const split = await app.lossPool.runSplit(make());
    const inline = app.lossPool.runInline(make());
    expectSameBits(inline, split);
    expect(split.gradient!.buffer).toBeInstanceOf(SharedArrayBuffer); // written in place by the workers
  });

  test('problems deep inside a split request are found and named by their index', async () => {
    const nan = splitTask('cross_entropy', {}, 'mean', 300_000, 10, true)();
    nan.input.predictions[2_345_678] = NaN;
    await expect(app.lossPool.runSplit(nan)).rejects.toMatchObject({ code: 'invalid_tensor', index: 2_345_678, message: expect.stringContaining("input 'predictions': element 2345678 is NaN") });
    const range = splitTask('cross_entropy', {}, 'mean', 300_000, 10, true)();
    (range.rawTargets as BigInt64Array)[250_001] = 10n;
    await expect(app.lossPool.runSplit(range)).rejects.toMatchObject({ code: 'class_index_out_of_range', index: 250_001 });
    const huge = splitTask('cross_entropy', {}, 'mean', 300_000, 10, true)();
    (huge.rawTargets as BigInt64Array)[299_999] = 2n ** 60n;
    await expect(app.lossPool.runSplit(huge)).rejects.toMatchObject({ code: 'invalid_tensor', index: 299_999 });
  });

  test('ctc [T 40, N 2000, C 20] split by sample: the same bits as inline, the gradient back in [T, N, C], a NaN named where it was sent', async () => {
    const [T, n, c] = [40, 2000, 20];
    const r = rng(5);
    const logProbs = shared((b) => new Float32Array(b), T * n * c * 4);
    for (let row = 0; row < T * n; row++) {
      let z = 0;
      for (let k = 0; k < c; k++) logProbs[row * c + k] = r.normal();
      for (let k = 0; k < c; k++) z += Math.exp(logProbs[row * c + k]);
      for (let k = 0; k < c; k++) logProbs[row * c + k] -= Math.log(z);
    }
    const lengths = Float64Array.from({ length: n }, () => 1 + r.int(10));
    const frames = Float64Array.from({ length: n }, () => T - r.int(5));
    const labels = Float64Array.from({ length: n * 10 }, () => 1 + r.int(c - 1));
    const def = findLoss('ctc')!;
    const make = (data: Float32Array) =>
      prepareLossTask({
        def,
        predictions: { data, shape: [T, n, c] },
        targets: { data: new Float64Array(0), shape: [] },
        extra: {
          targets: { data: labels.slice(), shape: [n, 10] },
          input_lengths: { data: frames.slice(), shape: [n] },
          target_lengths: { data: lengths.slice(), shape: [n] },
        },
        checkFinite: true,
        params: def.params.parse({ zero_infinity: true }),
        reduction: 'mean',
        wantPerSample: true,
        wantGradient: true,
        regularization: null,
      });
    const before = app.lossPool.stats.pooled;
    const task = make(logProbs);
    expect(task.input.predictions.buffer).toBeInstanceOf(SharedArrayBuffer); // the sample-major copy stays shared
    const split = await app.lossPool.run(task);
    expect(app.lossPool.stats.pooled).toBe(before + 1);
    const inline = app.lossPool.runInline(make(logProbs));
    expectSameBits(inline, split);
    expect(Number.isFinite(split.value)).toBe(true);
    // Frame 3, sample 1500, class 7 of the request's [T, N, C].
    const bad = logProbs.slice();
    bad[(3 * n + 1500) * c + 7] = NaN;
    const shareBad = shared((b) => new Float32Array(b), bad.byteLength);
    shareBad.set(bad);
    await expect(app.lossPool.run(make(shareBad))).rejects.toMatchObject({ code: 'invalid_tensor', field: 'log_probs', index: (3 * n + 1500) * c + 7 });
  });

  test('through v2: a 1M x 10 binary request is split, and agrees with the inline computation', async () => {
    const { classificationData, v2BinaryBody } = await import('../load/support/bodies.ts');
    const { parseInferResponse } = await import('../load/support/v2client.ts');
    const { logits, labels } = classificationData(1_000_000, 10);
    const { body, headers } = v2BinaryBody(
      [
        { name: 'predictions', shape: [1_000_000, 10], datatype: 'FP32', data: logits },
        { name: 'targets', shape: [1_000_000], datatype: 'INT64', data: labels },
      ],
      { reduction: 'mean' },
      ['value'],
    );
    const before = app.lossPool.stats.pooled;
    const res = await app.inject({ method: 'POST', url: '/v2/models/cross_entropy/infer', payload: body, headers });
    expect(res.statusCode, res.body).toBe(200);
    expect(app.lossPool.stats.pooled).toBe(before + 1);
    const value = parseInferResponse(res.rawPayload, res.headers).outputs.get('value')!.data[0];
    const inline = app.lossPool.runInline(
      prepareLossTask({
        def: findLoss('cross_entropy')!,
        predictions: { data: logits, shape: [1_000_000, 10] },
        targets: { data: Float64Array.from(labels, Number), shape: [1_000_000] },
        params: findLoss('cross_entropy')!.params.parse({}),
        reduction: 'mean',
        wantPerSample: false,
        wantGradient: false,
        regularization: null,
      }),
    );
    expect(value).toBe(Math.fround(inline.value));
  });
});

describe('the shared buffer pool', () => {
  test('a repeated large v2 request reuses its buffers and answers the same bits; a refused one returns none', async () => {
    const { classificationData, v2BinaryBody } = await import('../load/support/bodies.ts');
    const n = 400_000;
    const { logits, labels } = classificationData(n, 10, 21);
    const request = () =>
      v2BinaryBody(
        [
          { name: 'predictions', shape: [n, 10], datatype: 'FP32', data: logits },
          { name: 'targets', shape: [n], datatype: 'INT64', data: labels },
        ],
        {},
        ['value', 'gradient'],
      );
    const send = () => app.inject({ method: 'POST', url: '/v2/models/cross_entropy/infer', ...(({ body, headers }) => ({ payload: body, headers }))(request()) });
    const pool = app.lossPool.buffers;
    const idle0 = pool.idleBytes;
    const first = await send();
    expect(first.statusCode).toBe(200);
    const idle1 = pool.idleBytes;
    // predictions 16 MB, targets 3.2 MB, converted targets 3.2 MB, gradient 16 MB came back.
    expect(idle1 - idle0).toBeGreaterThanOrEqual(n * 10 * 4 * 2 + n * 8 * 2);
    const second = await send();
    expect(pool.idleBytes).toBe(idle1); // taken again, and returned again
    expect(Buffer.compare(first.rawPayload, second.rawPayload)).toBe(0);
    // A refusal (a NaN deep inside) keeps its buffers out of the pool.
    const bad = request();
    const hl = Number(bad.headers['inference-header-content-length']);
    bad.body.writeFloatLE(NaN, hl + 4 * 3_000_001);
    const refused = await app.inject({ method: 'POST', url: '/v2/models/cross_entropy/infer', payload: bad.body, headers: bad.headers });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toContain('element 3000001');
    expect(pool.idleBytes).toBeLessThan(idle1);
  });
});
