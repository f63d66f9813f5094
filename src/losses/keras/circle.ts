import { z } from 'zod';
import { C, N, tensor, times } from '../samples.ts';
import type { KernelInput, KernelOutput, TargetArray } from '../types.ts';
import { kerasLoss } from './kerasLoss.ts';

// Circle loss (Sun et al. 2020) as keras.losses.circle computes it, over the batch's own pairs.
// With d_ij = max(1 − x_i·x_j, 0) (cosine distance of embeddings Keras expects unit length; it
// does not normalise them), P_i the positives (same label, j ≠ i unless remove_diagonal is false),
// Q_i the negatives (another label), margin m and scale γ:
//   s⁺_ij = −γ·max(m + d_ij, 0)·(m − d_ij),   s⁻_ij = γ·max(1 + m − d_ij, 0)·(1 − m − d_ij)
//   ℓ_i = softplus(logsumexp_{j∈P_i} s⁺_ij + logsumexp_{j∈Q_i} s⁻_ij)
// A row without a positive or without a negative has −∞ inside: ℓ_i = 0, and Keras masks it
// (kerasLoss.ts: applyMask; the mask follows from the labels alone).
// Gradient (the weights are not held constant, as in Keras): with z_i the softplus argument,
//   dℓ_i/dd_ij = σ(z_i)·softmax_ij·ds_ij/dd_ij,  ds⁺/dd = 2γ·d (where m + d > 0),
//   ds⁻/dd = −2γ·(1 − d) (where 1 + m − d > 0), and dd_ij/dx_i = −x_j, dd_ij/dx_j = −x_i where
//   1 − x_i·x_j > 0. Every row's value depends on every embedding: the kernel runs over the
//   whole batch at once (coupledRows).
interface Params {
  gamma: number;
  margin: number;
  remove_diagonal: boolean;
}

const pairs = (labels: TargetArray, i: number, j: number, removeDiagonal: boolean) => (labels[i] === labels[j] ? (i !== j || !removeDiagonal ? 1 : 0) : -1);

/** Rows with a positive and a negative pair count; the others are masked. */
function rowsWithPairs(labels: TargetArray, removeDiagonal: boolean): Uint8Array {
  const n = labels.length;
  return Uint8Array.from({ length: n }, (_, i) => {
    let pos = false;
    let neg = false;
    for (let j = 0; j < n; j++) {
      const k = pairs(labels, i, j, removeDiagonal);
      if (k === 1) pos = true;
      if (k === -1) neg = true;
    }
    return pos && neg ? 1 : 0;
  });
}

const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

function circleKernel({ predictions: x, targets: labels, rows: n, cols: D, params: { gamma, margin: m, remove_diagonal }, extra: { unit_weight: w } }: KernelInput<Params>, lo: number, hi: number, out: KernelOutput): number {
  const dot = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < D; k++) s += x[i * D + k] * x[j * D + k];
    return s;
  };
  const score = (kind: number, d: number) => (kind === 1 ? -gamma * Math.max(m + d, 0) * (m - d) : gamma * Math.max(1 + m - d, 0) * (1 - m - d));
  const slope = (kind: number, d: number) => (kind === 1 ? (m + d > 0 ? 2 * gamma * d : 0) : 1 + m - d > 0 ? -2 * gamma * (1 - d) : 0);
  // Every row's gradient gathers a term from every pair it is in: added in float64 (the output's
  // own buffer when it is float64), and written to a float32 output once at the end.
  const g = out.gradient === null ? null : out.gradient instanceof Float64Array ? out.gradient : new Float64Array(out.gradient.length);
  g?.fill(0, lo * D, hi * D);
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    if (w[i] === 0) {
      if (out.perSample !== null) out.perSample[i] = 0;
      continue;
    }
    // The two logsumexps, max-subtracted.
    const lse = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const pass of [0, 1]) {
      let mx = Number.NEGATIVE_INFINITY;
      let acc = 0;
      for (let j = 0; j < n; j++) {
        const kind = pairs(labels, i, j, remove_diagonal);
        if (kind !== (pass === 0 ? 1 : -1)) continue;
        const s = score(kind, Math.max(1 - dot(i, j), 0));
        if (s > mx) {
          acc = acc * Math.exp(mx - s) + 1;
          mx = s;
        } else acc += Math.exp(s - mx);
      }
      lse[pass] = mx + Math.log(acc);
    }
    const z = lse[0] + lse[1];
    const v = softplus(z);
    if (out.perSample !== null) out.perSample[i] = v;
    sum += w[i] * v;
    if (g === null) continue;
    const sig = 1 / (1 + Math.exp(-z));
    for (let j = 0; j < n; j++) {
      const kind = pairs(labels, i, j, remove_diagonal);
      if (kind === 0) continue;
      const raw = 1 - dot(i, j);
      if (raw <= 0) continue; // the distance is clipped at 0: no gradient
      const s = score(kind, raw);
      const c = sig * Math.exp(s - lse[kind === 1 ? 0 : 1]) * slope(kind, raw) * w[i] * out.gradScale;
      // dd/dx_i = −x_j and dd/dx_j = −x_i (both, for the diagonal: −2x_i).
      for (let k = 0; k < D; k++) {
        const xi = x[i * D + k];
        g[i * D + k] -= c * x[j * D + k];
        g[j * D + k] -= c * xi;
      }
    }
  }
  if (g !== null && g !== out.gradient) out.gradient!.set(g.subarray(lo * D, hi * D), lo * D);
  return sum;
}

export const kerasCircle = kerasLoss<Params>({
  name: 'circle',
  className: 'Circle',
  summary: "Keras's circle loss for metric learning: pulls embeddings of a label together and pushes the others apart, weighted by how far each pair is from its optimum.",
  formula: 'ℓ_i = softplus(logsumexp_{j∈P_i} −γ·max(m + d_ij, 0)·(m − d_ij) + logsumexp_{j∈Q_i} γ·max(1 + m − d_ij, 0)·(1 − m − d_ij)), d_ij = max(1 − x_i·x_j, 0)',
  predictions: 'embeddings [N, D] (expected of unit length; not normalised)',
  targets: 'integer labels [N]',
  targetRule: 'indices',
  params: z.strictObject({
    gamma: z.number().default(80.0).meta({ description: 'The scale γ of the similarities.' }),
    margin: z.number().default(0.4).meta({ description: 'The relaxation margin m.' }),
    remove_diagonal: z.boolean().default(true).meta({ description: 'true: an embedding is not its own positive.' }),
  }),
  rules: ({ remove_diagonal }) => ({ axis: -1, mask: (t) => rowsWithPairs(t, remove_diagonal) }),
  coupledKernel: circleKernel,
  plot: {
    axis: 'prediction',
    label: 'angle θ between two embeddings of one label (a third, of another label, at 90°)',
    range: [0, 3],
    at: (a) => ({ predictions: [[1, 0], [Math.cos(a), Math.sin(a)], [0, 1]], targets: [0, 0, 1], dPredictions: [0, 0, -Math.sin(a), Math.cos(a), 0, 0] }),
  },
  // Unit embeddings, labels from two classes (every row has a positive and a negative), γ small
  // enough that the softplus stays away from saturation.
  sample: (r) => {
    const x = times(N * C, () => r.normal());
    for (let i = 0; i < N; i++) {
      const norm = Math.hypot(...x.slice(i * C, (i + 1) * C));
      for (let k = 0; k < C; k++) x[i * C + k] /= norm;
    }
    return { inputs: { predictions: tensor(x, [N, C]), targets: tensor(times(N, (i) => i % 2), [N]) }, params: { gamma: 4, margin: 0.25 } };
  },
  example: { inputs: { predictions: [[1, 0], [0.8, 0.6], [0, 1], [-0.6, 0.8]], targets: [0, 0, 1, 1] }, params: { gamma: 80, margin: 0.4 } },
});
