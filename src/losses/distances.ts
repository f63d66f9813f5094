// Distances between rows of embeddings for the triplet losses, each with its gradient.
//
// pairwise (PyTorch's F.pairwise_distance): d(u, v) = ‖u − v + eps‖_p, eps added to every
// component. With w = u − v + eps:  ∂d/∂u_k = sign(w_k)·|w_k|^{p−1} / d^{p−1} = −∂d/∂v_k
// (0 where d = 0, as PyTorch's norm backward masks it).
// cosine: d(u, v) = 1 − u·v/(‖u‖·‖v‖);  ∂d/∂u = −(v/(‖u‖‖v‖) − cos·u/‖u‖²), and symmetrically.
import type { FloatArray, KernelInput, KernelOutput } from './types.ts';

export interface RowDistance {
  /** d(u, v) for the rows at offsets ou and ov, D components each. */
  value(u: FloatArray, ou: number, v: FloatArray, ov: number, D: number): number;
  /** Adds s·∂d/∂u to gu and s·∂d/∂v to gv (either may be null), at the rows' offsets. */
  addGradient(u: FloatArray, ou: number, v: FloatArray, ov: number, D: number, d: number, s: number, gu: FloatArray | null, gv: FloatArray | null): void;
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
        if (gu !== null) gu[ou + k] += g;
        if (gv !== null) gv[ov + k] -= g;
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
        if (gu !== null) gu[ou + k] += g;
        if (gv !== null) gv[ov + k] -= g;
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
      if (gu !== null) gu[ou + k] -= s * (v[ov + k] / (na * nb) - (cos * u[ou + k]) / a);
      if (gv !== null) gv[ov + k] -= s * (u[ou + k] / (na * nb) - (cos * v[ov + k]) / b);
    }
  },
};

/** One triplet row: ℓ = max(0, margin + d(a, p) − d_neg), d_neg = d(a, n), or with swap the
 *  smaller of d(a, n) and d(p, n); the gradients of the three rows are written (not added). */
export function tripletRow(
  dist: RowDistance,
  x: { a: FloatArray; p: FloatArray; n: FloatArray },
  g: { a: FloatArray | null; p: FloatArray | null; n: FloatArray | null },
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
  for (const t of [g.a, g.p, g.n]) if (t !== null) t.fill(0, off, off + D);
  if (z < 0) return 0;
  dist.addGradient(x.a, off, x.p, off, D, dap, gradScale, g.a, g.p);
  if (swapped) dist.addGradient(x.p, off, x.n, off, D, dpn, -gradScale, g.p, g.n);
  else dist.addGradient(x.a, off, x.n, off, D, dan, -gradScale, g.a, g.n);
  return z;
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
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      const v = tripletRow(dist, x, g, r * D, D, margin, swap, gradScale);
      sum += v;
      if (perSample !== null) perSample[r] = v;
    }
    return sum;
  };
}
