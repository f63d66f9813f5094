// numberText.wasm prints every float64 exactly as JSON.stringify does (the shortest text that
// reads back as the same double, in ECMAScript's layout), and tensorText nests them as
// JSON.stringify(toNestedArray(...)) does, for every shape and both float types.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { numberText, tensorText } from '../src/response/numberText.ts';
import { toNestedArray } from '../src/losses/layout.ts';
import { rng } from '../load/support/random.ts';

/** The doubles of `count` random 64-bit patterns (every exponent alike), finite ones only. */
function randomBitPatterns(count: number, seed: bigint): number[] {
  const word = new BigUint64Array(1);
  const value = new Float64Array(word.buffer);
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    word[0] = s;
    if (Number.isFinite(value[0])) out.push(value[0]);
  }
  return out;
}

/** The numbers for which numberText and JSON.stringify differ (none, the test says). */
const mismatches = (xs: number[]) => xs.filter((x) => numberText(x) !== JSON.stringify(x)).map((x) => ({ x, ours: numberText(x), v8: JSON.stringify(x) }));

describe('numberText', () => {
  test('the layouts and edges of Number::toString', () => {
    const edges = [0, -0, 1, 0.1, 0.2, 0.3, 1 / 3, 1e21, 9.999999999999999e20, 1e-7, 1.0000000000000001e-7, 9.99999999999e-8, 1e-6, 123456789012345680000, 5e-324, 2.2250738585072014e-308,
      2.225073858507201e-308, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 64, 4.35, 1e22, 1e23, 100, 1e15, 1e16, 1e17, 5e-310, 0.5, 1.5, 2.5, 1e300, 1e-300];
    const xs = edges.flatMap((x) => [x, -x]);
    expect(mismatches(xs)).toEqual([]);
    expect([numberText(-0), numberText(1e21), numberText(1e-7), numberText(1.5e-7), numberText(123e-20), numberText(0.000001)]).toEqual(['0', '1e+21', '1e-7', '1.5e-7', '1.23e-18', '0.000001']);
    // Not JSON numbers: null, as JSON.stringify writes them (answers refuse them before printing).
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(numberText)).toEqual(['null', 'null', 'null']);
  });

  test('every power of two and its neighbours (the narrower interval below a power of two)', () => {
    const word = new BigUint64Array(1);
    const value = new Float64Array(word.buffer);
    const xs: number[] = [];
    for (let k = -1074; k <= 1023; k++) {
      value[0] = 2 ** k;
      const bits = word[0];
      for (const d of [-2n, -1n, 0n, 1n, 2n]) {
        if (bits + d <= 0n) continue;
        word[0] = bits + d;
        xs.push(value[0], -value[0]);
      }
    }
    expect(mismatches(xs)).toEqual([]);
  });

  test('300,000 random bit patterns, and decimals, integers and halves as losses give them', () => {
    expect(mismatches(randomBitPatterns(300_000, 12345n))).toEqual([]);
    const r = rng(5);
    const decimals = Array.from({ length: 100_000 }, () => Math.round(r.normal() * 1e6) / 1e6);
    const scaled = Array.from({ length: 100_000 }, () => r.normal() * 10 ** Math.floor(r.uniform() * 60 - 30));
    const integers = Array.from({ length: 50_000 }, () => Math.floor(r.uniform() * 2 ** 53) / 2 ** Math.floor(r.uniform() * 60));
    expect(mismatches([...decimals, ...scaled, ...integers])).toEqual([]);
  });
});

describe('tensorText', () => {
  test('nests as JSON.stringify of the nested arrays, for every rank, empty dimensions and FP32', () => {
    const r = rng(9);
    const shapes = [[], [1], [5], [3, 4], [1, 1], [4, 1], [1, 4], [2, 3, 4], [2, 1, 3, 2], [3, 2, 1, 1, 2], [0], [3, 0], [0, 3], [2, 0, 3]];
    for (const shape of shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      for (const data of [Float64Array.from({ length: n }, () => r.normal()), Float32Array.from({ length: n }, () => r.normal())]) {
        const want = shape.length === 0 ? JSON.stringify(data[0]) : JSON.stringify(toNestedArray(data, shape));
        expect(tensorText(data, shape), `${data.constructor.name} [${shape}]`).toBe(want);
      }
    }
  });

  test('tensors larger than one call of the printer (16,384 numbers), in rows longer than one call too', () => {
    const r = rng(10);
    const data = Float64Array.from({ length: 40_000 }, () => r.normal() * 1e-3);
    for (const shape of [[40_000], [2, 20_000], [20_000, 2], [4000, 10], [2, 2, 10_000], [10, 4000]]) {
      expect(tensorText(data, shape), `[${shape}]`).toBe(JSON.stringify(toNestedArray(data, shape)));
    }
  });
});

describe('answers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp({ workers: 1 });
  });
  afterAll(() => app.close());

  test('POST /loss and v2 JSON answers are the very text JSON.stringify writes for their value', async () => {
    const r = rng(12);
    const predictions = Array.from({ length: 16 }, () => Array.from({ length: 5 }, () => r.normal() * 10 ** Math.floor(r.uniform() * 12 - 6)));
    const targets = Array.from({ length: 16 }, () => r.int(5));
    const bodies = [
      { method: 'POST' as const, url: '/loss', payload: { loss: 'cross_entropy', predictions, targets, include: ['per_sample', 'gradient'] } },
      { method: 'POST' as const, url: '/loss', payload: { loss: 'mse', predictions, targets: predictions.map((row) => row.map((x) => x / 3)), reduction: 'sum', include: ['per_sample', 'gradient'] } },
      {
        method: 'POST' as const,
        url: '/v2/models/cross_entropy/infer',
        payload: { id: 'a', inputs: [{ name: 'predictions', shape: [16, 5], datatype: 'FP32', data: predictions.flat() }, { name: 'targets', shape: [16], datatype: 'INT64', data: targets }], outputs: [{ name: 'value' }, { name: 'per_sample' }, { name: 'gradient' }] },
      },
    ];
    for (const b of bodies) {
      const res = await app.inject(b);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).toBe(JSON.stringify(JSON.parse(res.body)));
      expect(res.body.length).toBeGreaterThan(1000);
    }
  });
});
