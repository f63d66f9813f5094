// The arena of small typed arrays (src/losses/arena.ts): zeroed, disjoint views on a slab that
// never leaves the main thread, so a small request that goes to a worker still leaves every other
// request's arrays intact.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ARENA_MAX_BYTES, byteBuffer, float32Array, float64Array, inArena, withoutArena } from '../src/losses/arena.ts';
import { buildTestApp } from './support/testApp.ts';
import { rng } from '../load/support/random.ts';

describe('arrays from the arena', () => {
  test('are zeroed, of their length, on a slab, and do not overlap', () => {
    const arrays = [float64Array(5), float32Array(3), byteBuffer(13), float64Array(320), float32Array(1)];
    for (const a of arrays) {
      expect(inArena(a.buffer)).toBe(true);
      expect([...a].every((v) => v === 0)).toBe(true);
      expect(a.byteOffset % 8).toBe(0);
    }
    expect(arrays.map((a) => a.length)).toEqual([5, 3, 13, 320, 1]);
    for (const [k, a] of arrays.entries()) a.fill(k + 1);
    for (const [k, a] of arrays.entries()) expect([...a].every((v) => v === k + 1)).toBe(true);
  });

  test('a large array, or an empty one, has a buffer of its own', () => {
    const large = float64Array(ARENA_MAX_BYTES / 8 + 1);
    expect(inArena(large.buffer)).toBe(false);
    expect(large.byteOffset).toBe(0);
    expect(inArena(float64Array(0).buffer)).toBe(false);
    expect(inArena(new Float64Array(4).buffer)).toBe(false);
  });

  test('a used-up slab is followed by a fresh one, still zeroed', () => {
    const first = float64Array(1);
    let next = first;
    for (let i = 0; i < 40 && next.buffer === first.buffer; i++) next = float64Array(ARENA_MAX_BYTES / 8);
    expect(next.buffer).not.toBe(first.buffer);
    expect(inArena(next.buffer)).toBe(true);
    expect([...next].every((v) => v === 0)).toBe(true);
  });

  test('withoutArena copies arena arrays wherever they are and leaves the rest as it was', () => {
    const onSlab = float64Array(4).fill(2.5);
    const own = new Float64Array([1, 2]);
    const task = { input: { predictions: onSlab, targets: own, extra: { var: float32Array(2).fill(3) } }, shape: [2, 2], name: 'x', list: [onSlab, own] };
    const posted = withoutArena(task);
    expect(posted).not.toBe(task);
    expect(inArena(posted.input.predictions.buffer)).toBe(false);
    expect([...posted.input.predictions]).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(posted.input.targets).toBe(own);
    expect(inArena(posted.input.extra.var.buffer)).toBe(false);
    expect(posted.input.extra.var).toBeInstanceOf(Float32Array);
    expect(posted.shape).toBe(task.shape);
    expect(inArena(posted.list[0].buffer)).toBe(false);
    expect(posted.list[1]).toBe(own);
    // A Buffer on a slab is copied too (Buffer's own slice would be a view on the slab).
    const body = withoutArena(byteBuffer(5).fill(9));
    expect(inArena(body.buffer)).toBe(false);
    expect([...body]).toEqual([9, 9, 9, 9, 9]);
    // The original is untouched, and an object without arena arrays is returned as it is.
    expect(task.input.predictions).toBe(onSlab);
    const plain = { a: own, b: [1, 2] };
    expect(withoutArena(plain)).toBe(plain);
  });
});

describe('small requests that go to a worker', () => {
  let pooled: FastifyInstance;
  let inline: FastifyInstance;
  beforeAll(async () => {
    // Every request to a worker in one service, every one inline in the other.
    pooled = await buildTestApp({ workers: 1, inlineThreshold: 0 });
    inline = await buildTestApp({ workers: 1 });
    await pooled.lossPool.ready;
  });
  afterAll(async () => {
    await pooled.close();
    await inline.close();
  });

  test('answer as inline ones do, and detach no other request’s arrays', async () => {
    const r = rng(3);
    const kept = float64Array(8).fill(7); // an array of "another request" on the current slab
    for (let i = 0; i < 20; i++) {
      const payload = {
        loss: i % 2 === 0 ? 'cross_entropy' : 'mse',
        predictions: Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => r.normal())),
        targets: i % 2 === 0 ? Array.from({ length: 4 }, () => r.int(3)) : Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => r.normal())),
        include: ['per_sample', 'gradient'],
      };
      const [a, b] = await Promise.all([pooled, inline].map((app) => app.inject({ method: 'POST', url: '/loss', payload })));
      expect(a.statusCode).toBe(200);
      expect(a.body).toBe(b.body);
    }
    expect(pooled.lossPool.stats.pooled).toBeGreaterThanOrEqual(20);
    expect(kept.length).toBe(8);
    expect([...kept]).toEqual(Array(8).fill(7));
  });
});
