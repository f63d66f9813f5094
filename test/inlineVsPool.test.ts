// The inline path (main thread) and the worker path give the same bits: same kernel, same
// fixed block summation order, buffers moved not converted.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { findLoss } from '../src/losses/registry.ts';
import { prepareLossTask } from '../src/validation/prepareLossTask.ts';
import type { LossTask, LossResult } from '../src/pool/lossTask.ts';
import { valueCases } from './support/golden.ts';
import { rng } from './support/random.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ logger: false, workers: 2 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

function goldenTask(c: (typeof valueCases)[number]): LossTask {
  const def = findLoss(c.loss)!;
  return prepareLossTask({
    def,
    predictions: { data: Float64Array.from(c.predictions.data), shape: c.predictions.shape },
    targets: { data: Float64Array.from(c.targets.data), shape: c.targets.shape },
    params: def.params.parse(c.params),
    reduction: c.reduction as LossTask['reduction'],
    wantPerSample: true,
    wantGradient: true,
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
  expect(bytes(a.perSample)).toBe(bytes(b.perSample));
  expect(bytes(a.gradient)).toBe(bytes(b.gradient));
  expect(bytes(a.parametersGradient)).toBe(bytes(b.parametersGradient));
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
