// The order statistics and deviances scikit-learn's regression metrics use, as numpy (1.24) and
// scikit-learn (1.2.1) compute them, each with the element its value comes from (for gradients).

/** The indices of `a` in ascending order of value; ties keep their order (a stable sort). The
 *  value of an order statistic does not depend on how ties are ordered; its gradient goes to the
 *  first of them. */
export function order(a: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: a.length }, (_, i) => i);
  return idx.sort((i, j) => a[i] - a[j] || i - j);
}

/** np.median: the middle element, or the mean of the two middle ones, and where they are (each
 *  with its share of the value: 1, or ½ and ½). */
export function median(a: ArrayLike<number>): { value: number; at: [number, number][] } {
  const o = order(a);
  const n = a.length;
  if (n % 2 === 1) return { value: a[o[(n - 1) / 2]], at: [[o[(n - 1) / 2], 1]] };
  const lo = o[n / 2 - 1];
  const hi = o[n / 2];
  return { value: (a[lo] + a[hi]) / 2, at: [[lo, 0.5], [hi, 0.5]] };
}

/** np.percentile(a, q) with numpy's default (linear) method: the virtual index n·q + (1 − q) − 1
 *  (numpy's _compute_virtual_index with α = β = 1) between two order statistics, and numpy's
 *  _lerp (a + (b − a)·t, or b − (b − a)·(1 − t) from t = ½ on). `percent` as numpy is given it
 *  (alpha·100); numpy divides it by 100 first, and so does this. */
export function percentile(a: ArrayLike<number>, percent: number): number {
  const q = percent / 100;
  const n = a.length;
  const o = order(a);
  const virtual = n * q + (1 + q * (1 - 1 - 1)) - 1;
  if (virtual >= n - 1) return a[o[n - 1]];
  if (virtual < 0) return a[o[0]];
  const prev = Math.floor(virtual);
  const t = virtual - prev;
  const lo = a[o[prev]];
  const hi = a[o[prev + 1]];
  const diff = hi - lo;
  return t >= 0.5 ? hi - diff * (1 - t) : lo + diff * t;
}

/** sklearn.utils.stats._weighted_percentile for one column: the element where the cumulative
 *  weight (in ascending order of value, summed in order as np.cumsum) first reaches
 *  percent/100 of the total (searchsorted, side left; a 0 target nudged up to the next float). */
export function weightedPercentile(a: ArrayLike<number>, w: ArrayLike<number>, percent = 50): { value: number; at: number } {
  const o = order(a);
  const cdf = new Float64Array(a.length);
  let run = 0;
  for (let k = 0; k < a.length; k++) cdf[k] = run += w[o[k]];
  let target = (percent / 100) * cdf[a.length - 1];
  if (target === 0) target = nextUp(target);
  let k = 0;
  while (k < a.length && cdf[k] < target) k++;
  k = Math.min(k, a.length - 1);
  return { value: a[o[k]], at: o[k] };
}

/** The next float64 above x (np.nextafter(x, x + 1)). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const bits = new BigInt64Array(b.buffer);
  bits[0] += x > 0 ? 1n : -1n;
  return b[0];
}

/** scipy's xlogy: 0 where x = 0, else x·log y. */
const xlogy = (x: number, y: number) => (x === 0 ? 0 : x * Math.log(y));

/** The unit Tweedie deviance of _mean_tweedie_deviance, by power (its five branches). */
export function tweedieDeviance(y: number, p: number, power: number): number {
  if (power < 0) return 2 * (Math.max(y, 0) ** (2 - power) / ((1 - power) * (2 - power)) - (y * p ** (1 - power)) / (1 - power) + p ** (2 - power) / (2 - power));
  if (power === 0) return (y - p) ** 2;
  if (power === 1) return 2 * (xlogy(y, y / p) - y + p);
  if (power === 2) return 2 * (Math.log(p / y) + y / p - 1);
  return 2 * (y ** (2 - power) / ((1 - power) * (2 - power)) - (y * p ** (1 - power)) / (1 - power) + p ** (2 - power) / (2 - power));
}

// d/dŷ of every branch is the same: 2·ŷ^(−power)·(ŷ − y) (power 0: 2(ŷ − y); 1: 2(1 − y/ŷ);
// 2: 2(1/ŷ − y/ŷ²)).
export const tweedieSlope = (y: number, p: number, power: number) => 2 * p ** -power * (p - y);

/** The domain mean_tweedie_deviance checks, by power: the first element outside it. */
export function tweedieDomain(power: number, y: ArrayLike<number>, p: ArrayLike<number>): { field: 'targets' | 'predictions'; index: number; need: string } | null {
  const first = (a: ArrayLike<number>, bad: (v: number) => boolean) => {
    for (let i = 0; i < a.length; i++) if (bad(a[i])) return i;
    return -1;
  };
  const check = (yBad: ((v: number) => boolean) | null, need: string) => {
    const i = yBad === null ? -1 : first(y, yBad);
    if (i >= 0) return { field: 'targets' as const, index: i, need };
    const j = first(p, (v) => v <= 0);
    return j >= 0 ? { field: 'predictions' as const, index: j, need } : null;
  };
  if (power < 0) return check(null, 'strictly positive predictions');
  if (power === 0) return null;
  if (power < 2) return check((v) => v < 0, 'non-negative targets and strictly positive predictions');
  return check((v) => v <= 0, 'strictly positive targets and predictions');
}
