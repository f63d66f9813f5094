// The WebAssembly SIMD kernels (src/losses/simd/kernels.c): their exp and log1p within 1 ulp of
// Math.exp and Math.log1p, and bce_with_logits through them equal to the scalar formula (run by
// giving the loss a weight of 1, which keeps it on the scalar path) to a few ulps, at ordinary and
// extreme logits, with its gradient checked against central differences.
import { expect, test } from 'vitest';
import { findLoss } from '../src/losses/registry.ts';
import { computeLoss } from '../src/pool/computeLoss.ts';
import { prepareLossTask } from '../src/validation/prepareLossTask.ts';
import { simdMath, SIMD_CHUNK } from '../src/losses/simd/simd.ts';
import { rng } from '../load/support/random.ts';

/** Distance in units in the last place between two float64 of the same sign. */
function ulps(a: number, b: number): number {
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  const d = bits[0] - bits[1];
  return Number(d < 0n ? -d : d);
}

test('log on [1, 1e6] is within 1 ulp of Math.log', () => {
  const r = rng(4);
  const s = Float64Array.from({ length: SIMD_CHUNK - 3 }, (_, i) => (i % 2 ? 1 + r.uniform() : Math.exp(14 * r.uniform())));
  s.set([1, 2, 1 + 2 ** -52, 2 - 2 ** -52, 1e6, 10], 0);
  const l = simdMath('log', s);
  let worst = 0;
  for (let i = 0; i < s.length; i++) worst = Math.max(worst, ulps(l[i], Math.log(s[i])));
  expect(worst).toBeLessThanOrEqual(1);
});

test('exp on [−708, 0] and log1p on [0, 1] are within 1 ulp of Math.exp and Math.log1p', () => {
  const r = rng(3);
  const worst = { exp: 0, log1p: 0 };
  for (let round = 0; round < 8; round++) {
    const x = Float64Array.from({ length: SIMD_CHUNK }, (_, i) => -[1, 40, 708][i % 3] * r.uniform());
    x.set([0, -0, -1e-300, -708, -1e-16, -0.5 * Math.LN2, -745.2], 0);
    const e = simdMath('exp', x);
    for (let i = 0; i < x.length; i++) worst.exp = Math.max(worst.exp, x[i] < -708 ? 0 : ulps(e[i], Math.exp(x[i])));
    const u = Float64Array.from({ length: SIMD_CHUNK }, (_, i) => (i % 2 ? r.uniform() : Math.exp(-700 * r.uniform())));
    u.set([0, 1, 1e-300, 5e-324, 1e-17, 0.5], 0);
    const l = simdMath('log1p', u);
    for (let i = 0; i < u.length; i++) worst.log1p = Math.max(worst.log1p, ulps(l[i], Math.log1p(u[i])));
  }
  expect(worst).toEqual({ exp: expect.any(Number), log1p: expect.any(Number) });
  expect(worst.exp).toBeLessThanOrEqual(1);
  expect(worst.log1p).toBeLessThanOrEqual(1);
});

function bce(x: Float64Array | Float32Array, t: Float64Array, params: object, reduction: 'mean' | 'sum' = 'mean') {
  const def = findLoss('bce_with_logits')!;
  return computeLoss(
    prepareLossTask({ def, predictions: { data: x, shape: [x.length] }, targets: { data: t, shape: [t.length] }, params: def.params.parse(params), reduction, wantPerSample: true, wantGradient: true, regularization: null }),
  );
}

test('bce_with_logits in SIMD agrees with the scalar formula, FP64 and FP32, odd lengths and several blocks', () => {
  const r = rng(11);
  for (const n of [1, 7, 40_001]) {
    const x = Float64Array.from({ length: n }, (_, i) => [r.normal() * 4, r.normal() * 40, 750 * r.sign(), 1e-300 * r.sign(), 0][i % 5]);
    const t = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? r.int(2) : r.uniform()));
    for (const input of [x, Float32Array.from(x)]) {
      const simd = bce(input, t, {});
      const scalar = bce(input, t, { weight: [1] });
      expect(simd.perSample).toBeInstanceOf(input.constructor);
      // The sums run in another order (two lanes): equal to the rounding of n additions.
      expect(Math.abs(simd.value - scalar.value)).toBeLessThanOrEqual(n * 1.2e-16 * Math.abs(scalar.value));
      for (let i = 0; i < n; i++) {
        // (1 − t)·x + softplus(−x) may cancel: the bound is on the size of its terms.
        expect(Math.abs(simd.perSample![i] - scalar.perSample![i]), `per_sample[${i}] at x = ${input[i]}`).toBeLessThanOrEqual(4e-16 * (1 + 2 * Math.abs(input[i])));
        // σ(x) − t cancels where σ(x) ≈ t: the bound is on σ's rounding, times the mean's 1/n.
        expect(Math.abs(simd.gradient![i] - scalar.gradient![i]), `gradient[${i}] at x = ${input[i]}`).toBeLessThanOrEqual((4e-16 * (1 + t[i])) / n);
      }
    }
  }
});

test('cross_entropy in SIMD (class indices, no weight) agrees with the scalar formula: FP64 and FP32, ignored rows, C from 2 to 1000, several calls', () => {
  const def = findLoss('cross_entropy')!;
  const r = rng(17);
  for (const [n, C] of [[3, 2], [1001, 10], [40, 1000], [20_000, 3]]) {
    const x = Float64Array.from({ length: n * C }, (_, i) => (i % 97 === 0 ? 1e4 * r.sign() : r.normal() * 5));
    const t = Float64Array.from({ length: n }, (_, i) => (i % 13 === 5 ? -100 : r.int(C)));
    for (const input of [x, Float32Array.from(x)]) {
      const run = (params: object) =>
        computeLoss(prepareLossTask({ def, predictions: { data: input, shape: [n, C] }, targets: { data: t, shape: [n] }, params: def.params.parse(params), reduction: 'sum', wantPerSample: true, wantGradient: true, regularization: null }));
      const simd = run({});
      const scalar = run({ weight: Array(C).fill(1) }); // weights of 1 keep it on the scalar path
      expect(Math.abs(simd.value - scalar.value)).toBeLessThanOrEqual(n * 2.5e-16 * (1 + Math.abs(scalar.value)));
      // m + log S − x_y: a few roundings of the row's largest logit.
      for (let i = 0; i < n; i++) {
        const big = Math.max(...Array.from(input.subarray(i * C, (i + 1) * C), Math.abs));
        expect(Math.abs(simd.perSample![i] - scalar.perSample![i]), `row ${i}`).toBeLessThanOrEqual(4.5e-16 * (1 + 2 * big));
      }
      for (let i = 0; i < n * C; i++) expect(Math.abs(simd.gradient![i] - scalar.gradient![i]), `gradient ${i}`).toBeLessThanOrEqual(1e-15);
    }
  }
});

test('bce_with_logits in SIMD: its gradient against central differences of its own value', () => {
  const r = rng(5);
  const x = Float64Array.from({ length: 9 }, () => r.normal() * 3);
  const t = Float64Array.from({ length: 9 }, () => r.uniform());
  const { gradient } = bce(x, t, {}, 'sum');
  for (let i = 0; i < x.length; i++) {
    const at = (d: number) => bce(x.map((v, k) => (k === i ? v + d : v)), t, {}, 'sum').value;
    const fd = (at(1e-6) - at(-1e-6)) / 2e-6;
    expect(Math.abs(gradient![i] - fd)).toBeLessThanOrEqual(1e-7 + 1e-6 * Math.abs(fd));
  }
});
