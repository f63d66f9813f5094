// The triplet losses' p = 2 distance, written without pow, gives the bits of the general p-norm
// form (V8's pow(x, 2) is x·x and pow(x, ½) is √x).
import { expect, test } from 'vitest';
import { pairwiseDistance } from '../src/losses/distances.ts';
import { rng } from '../load/support/random.ts';

test('pairwiseDistance(2, eps): value and gradient equal the general |w|^p form bit for bit', () => {
  const r = rng(31);
  const D = 7;
  const n = 500;
  const u = Float64Array.from({ length: n * D }, () => r.normal() * 10 ** r.int(6));
  const v = Float64Array.from({ length: n * D }, (_, i) => (i % 11 === 0 ? u[i] : r.normal()));
  const eps = 1e-6;
  const general = (ou: number, ov: number) => {
    let acc = 0;
    for (let k = 0; k < D; k++) acc += Math.abs(u[ou + k] - v[ov + k] + eps) ** 2;
    return acc ** (1 / 2);
  };
  const fast = pairwiseDistance(2, eps);
  for (let row = 0; row < n; row++) {
    const d = fast.value(u, row * D, v, row * D, D);
    expect(d).toBe(general(row * D, row * D));
    const [gu, gv] = [new Float64Array(D), new Float64Array(D)];
    fast.addGradient(u, row * D, v, row * D, D, d, 0.75, gu, gv);
    for (let k = 0; k < D; k++) {
      const w = u[row * D + k] - v[row * D + k] + eps;
      const want = (0.75 / d ** (2 - 1)) * Math.sign(w) * Math.abs(w) ** (2 - 1);
      expect(gu[k]).toBe(d === 0 ? 0 : want);
      expect(gv[k]).toBe(d === 0 ? 0 : -want);
    }
  }
});
