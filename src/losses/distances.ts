// Distances between rows of embeddings for the triplet losses, each with its gradient.
//
// pairwise (PyTorch's F.pairwise_distance): d(u, v) = ‖u − v + eps‖_p, eps added to every
// component. With w = u − v + eps:  ∂d/∂u_k = sign(w_k)·|w_k|^{p−1} / d^{p−1} = −∂d/∂v_k
// (0 where d = 0, as PyTorch's norm backward masks it).
// cosine: d(u, v) = 1 − u·v/(‖u‖·‖v‖);  ∂d/∂u = −(v/(‖u‖‖v‖) − cos·u/‖u‖²), and symmetrically.
//
// A row's gradient has two terms where one row enters two distances (the anchor's, the positive's
// with swap): they are added in float64 row buffers and written to the output once, so that a
// float32 output is the float64 gradient rounded once.
import type { FloatArray, KernelInput, KernelOutput } from './types.ts';

export interface RowDistance {
  /** d(u, v) for the rows at offsets ou and ov, D components each. */
  value(u: FloatArray, ou: number, v: FloatArray, ov: number, D: number): number;
  /** Adds s·∂d/∂u to gu and s·∂d/∂v to gv (float64 row buffers of D, either may be null). */
  addGradient(u: FloatArray, ou: number, v: FloatArray, ov: number, D: number, d: number, s: number, gu: Float64Array | null, gv: Float64Array | null): void;
}

export function pairwiseDistance(p: number, eps: number): RowDistance {
  if (p === 2) return euclidean(eps);
  return {
    value(u, ou, v, ov, D) {
      let acc = 0;
      for (let k = 0; k < D; k++) acc += Math.abs(u[ou + k] - v[ov + k] + eps) ** p;
      return acc ** (1 / p);
    },
    addGradient(u, ou, v, ov, D, d, s, gu, gv) {
      if (d === 0) return;
      const scale = s / d ** (p - 1);
      for (let k = 0; k < D; k++) {
        const w = u[ou + k] - v[ov + k] + eps;
        const g = scale * Math.sign(w) * Math.abs(w) ** (p - 1);
        if (gu !== null) gu[k] += g;
        if (gv !== null) gv[k] -= g;
      }
    },
  };
}

/** p = 2, the default, written out: w² for |w|^p, √ for the 1/p power, w for sign(w)·|w|^{p−1}.
 *  The same bits as the general form (pow(x, 2) is x·x and pow(x, ½) is √x in V8's fdlibm pow),
 *  without a pow call per component, which took most of the triplet losses' time. */
function euclidean(eps: number): RowDistance {
  return {
    value(u, ou, v, ov, D) {
      let acc = 0;
      for (let k = 0; k < D; k++) {
        const w = u[ou + k] - v[ov + k] + eps;
        acc += w * w;
      }
      return Math.sqrt(acc);
    },
    addGradient(u, ou, v, ov, D, d, s, gu, gv) {
      if (d === 0) return;
      const scale = s / d;
      for (let k = 0; k < D; k++) {
        const g = scale * (u[ou + k] - v[ov + k] + eps);
        if (gu !== null) gu[k] += g;
        if (gv !== null) gv[k] -= g;
      }
    },
  };
}

export const cosineDistance: RowDistance = {
  value(u, ou, v, ov, D) {
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let k = 0; k < D; k++) {
      dot += u[ou + k] * v[ov + k];
      a += u[ou + k] * u[ou + k];
      b += v[ov + k] * v[ov + k];
    }
    return 1 - dot / (Math.sqrt(a) * Math.sqrt(b));
  },
  addGradient(u, ou, v, ov, D, d, s, gu, gv) {
    let a = 0;
    let b = 0;
    for (let k = 0; k < D; k++) {
      a += u[ou + k] * u[ou + k];
      b += v[ov + k] * v[ov + k];
    }
    const na = Math.sqrt(a);
    const nb = Math.sqrt(b);
    const cos = 1 - d;
    for (let k = 0; k < D; k++) {
      if (gu !== null) gu[k] -= s * (v[ov + k] / (na * nb) - (cos * u[ou + k]) / a);
      if (gv !== null) gv[k] -= s * (u[ou + k] / (na * nb) - (cos * v[ov + k]) / b);
    }
  },
};

/** Float64 buffers for one row's three gradients (TripletRow's `rows`). */
export const tripletRowBuffers = (D: number) => ({ a: new Float64Array(D), p: new Float64Array(D), n: new Float64Array(D) });

/** One triplet row: ℓ = max(0, margin + d(a, p) − d_neg), d_neg = d(a, n), or with swap the
 *  smaller of d(a, n) and d(p, n); the gradients of the three rows are summed in `rows` and
 *  written (not added) to `g` at the row's offset. */
export function tripletRow(
  dist: RowDistance,
  x: { a: FloatArray; p: FloatArray; n: FloatArray },
  g: { a: FloatArray | null; p: FloatArray | null; n: FloatArray | null },
  rows: ReturnType<typeof tripletRowBuffers>,
  off: number,
  D: number,
  margin: number,
  swap: boolean,
  gradScale: number,
): number {
  const dap = dist.value(x.a, off, x.p, off, D);
  const dan = dist.value(x.a, off, x.n, off, D);
  const dpn = swap ? dist.value(x.p, off, x.n, off, D) : Number.POSITIVE_INFINITY;
  const swapped = dpn < dan;
  const dneg = swapped ? dpn : dan;
  const z = margin + dap - dneg;
  const wanted = (t: FloatArray | null, row: Float64Array) => (t === null ? null : row.fill(0));
  const [ga, gp, gn] = [wanted(g.a, rows.a), wanted(g.p, rows.p), wanted(g.n, rows.n)];
  if (z >= 0) {
    dist.addGradient(x.a, off, x.p, off, D, dap, gradScale, ga, gp);
    if (swapped) dist.addGradient(x.p, off, x.n, off, D, dpn, -gradScale, gp, gn);
    else dist.addGradient(x.a, off, x.n, off, D, dan, -gradScale, ga, gn);
  }
  g.a?.set(rows.a, off);
  g.p?.set(rows.p, off);
  g.n?.set(rows.n, off);
  return Math.max(z, 0);
}

/** The kernel of both triplet losses over rows [lo, hi): anchor in the predictions slot,
 *  positive and negative in `extra`, the distance and margins from the loss's parameters. */
export function tripletKernel<P>(distanceOf: (params: P) => RowDistance, marginOf: (params: P) => { margin: number; swap: boolean }) {
  return (input: KernelInput<P>, lo: number, hi: number, { perSample, gradient, gradScale, gradients }: KernelOutput): number => {
    const dist = distanceOf(input.params);
    const { margin, swap } = marginOf(input.params);
    const D = input.cols;
    const x = { a: input.predictions, p: input.extra.positive, n: input.extra.negative };
    const g = { a: gradient, p: gradients.positive ?? null, n: gradients.negative ?? null };
    const rows = tripletRowBuffers(D);
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      const v = tripletRow(dist, x, g, rows, r * D, D, margin, swap, gradScale);
      sum += v;
      if (perSample !== null) perSample[r] = v;
    }
    return sum;
  };
}
