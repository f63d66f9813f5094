// numpy's arithmetic as scikit-learn's metrics use it: the pairwise sum of np.sum and np.mean,
// np.average and a dot product, so that values agree with scikit-learn's to the last bits or
// nearly (the golden cases hold them to 1e-12 relative).

/** numpy's pairwise summation (pairwise_sum in loops_utils.h): blocks of 128 added eight-wide,
 *  halves added recursively, so that sums agree with numpy's bit for bit or nearly. */
export function sum(a: ArrayLike<number>, from = 0, to = a.length): number {
  const n = to - from;
  if (n < 8) {
    let s = 0;
    for (let i = from; i < to; i++) s += a[i];
    return s;
  }
  if (n <= 128) {
    const r = [a[from], a[from + 1], a[from + 2], a[from + 3], a[from + 4], a[from + 5], a[from + 6], a[from + 7]];
    let i = from + 8;
    for (; i < to - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k] += a[i + k];
    let s = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < to; i++) s += a[i];
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return sum(a, from, from + half) + sum(a, from + half, to);
}

/** np.average(values, weights=w): Σ w·v / Σ w (the mean without weights). */
export function average(values: Float64Array, w: Float64Array | null): number {
  if (w === null) return sum(values) / values.length;
  const wv = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) wv[i] = values[i] * w[i];
  return sum(wv) / sum(w);
}

/** Σ a·b, pairwise. */
export function dot(a: Float64Array, b: Float64Array): number {
  const ab = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) ab[i] = a[i] * b[i];
  return sum(ab);
}
