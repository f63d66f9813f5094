// Numerically stable building blocks shared by the kernels. Every function is exact to float64
// rounding for any finite input: none of them overflows or returns NaN. (softplus and sigmoid are
// written inline in the kernels that need them, derived there, so that value and gradient share
// one e^-|x|.)
import type { FloatArray } from './types.ts';

/**
 * log Σ_c e^{x_c} over one row x[off .. off+n).
 *
 * Subtract the row maximum m first: log Σ e^{x_c} = m + log Σ e^{x_c - m}. Every exponent is then
 * ≤ 0 (no overflow) and the largest term is exactly 1 (the sum is ≥ 1, so its log is finite).
 */
export function logSumExp(x: FloatArray, off: number, n: number): number {
  let m = x[off];
  for (let c = 1; c < n; c++) if (x[off + c] > m) m = x[off + c];
  let s = 0;
  for (let c = 0; c < n; c++) s += Math.exp(x[off + c] - m);
  return m + Math.log(s);
}

/**
 * log(cosh(d)), without overflow or cancellation.
 *
 * cosh(d) overflows for |d| > 710. For |d| ≥ 1: cosh(d) = e^|d| (1 + e^{-2|d|}) / 2, so
 * log cosh(d) = |d| + log1p(e^{-2|d|}) - log 2. For |d| < 1 that subtracts nearly equal numbers;
 * there cosh(d) = 1 + 2 sinh²(d/2), so log cosh(d) = log1p(2 sinh²(d/2)), accurate near 0.
 */
export function logCosh(d: number): number {
  const a = Math.abs(d);
  if (a < 1) {
    const s = Math.sinh(a / 2);
    return Math.log1p(2 * s * s);
  }
  return a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
}

/** Index of the first element of a[from, to) that is NaN or ±Infinity, or -1. One pass adds
 *  a[i]·0, which stays 0 unless some element is not finite; only then is the index looked for. */
export function firstNonFinite(a: ArrayLike<number>, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] * 0;
  if (s === 0) return -1;
  for (let i = from; i < to; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** sign with sign(0) = 0, as PyTorch's sign (the l1 gradient at a zero residual).
 *
 *  Written as arithmetic on comparisons, which V8 compiles without branches (setcc): on random
 *  data a branch here mispredicts half the time, and the l1 kernel ran 4x slower with the
 *  ternary form (8 ns vs 1.9 ns per element measured; Math.sign, Math.min and Math.max also
 *  branch, for NaN and -0). The kernels use the same idiom, `+(c)` as 0 or 1, to select between
 *  two finite values exactly: one of the two products is 0 × finite = 0. */
export function sign(x: number): number {
  return +(x > 0) - +(x < 0);
}
