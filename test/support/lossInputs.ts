// Random valid inputs for every loss, kept away from the kinks where the derivative jumps
// (so that finite differences are meaningful there), with a parameter variant per loss.
import type { Rng } from '../../load/support/random.ts';

export interface LossInputs {
  predictions: number[];
  targets: number[];
  shape: number[];
  targetShape: number[];
  params: Record<string, unknown>;
  /** The loss's other tensor inputs by name, of the predictions' shape (margin_ranking's input2). */
  extra?: Record<string, number[]>;
}

const N = 6;
const C = 4;
const times = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

function elementwise(pred: () => number, target: (x: number) => number, params: Record<string, unknown> = {}): LossInputs {
  const predictions = times(N * C, pred);
  return { predictions, targets: predictions.map(target), shape: [N, C], targetShape: [N, C], params };
}

function rows(r: Rng, pred: () => number, params: Record<string, unknown> = {}): LossInputs {
  return { predictions: times(N * C, pred), targets: times(N, () => r.int(C)), shape: [N, C], targetShape: [N], params };
}

function distributionRows(r: Rng): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const row = times(C, () => r.uniform(0.05, 1));
    const s = row.reduce((a, b) => a + b, 0);
    out.push(...row.map((v) => v / s));
  }
  return out;
}

/** Anchors, positives about 0.3 away and negatives about 0.5 away: margin + d(a, p) − d(a, n) ≈ 0.8. */
function triplet(r: Rng): LossInputs {
  const anchor = times(N * C, () => r.normal());
  const positive = anchor.map((a) => a + 0.15 * r.normal());
  const negative = anchor.map((a) => a + 0.25 * r.normal());
  return { predictions: anchor, targets: [], shape: [N, C], targetShape: [], params: {}, extra: { positive, negative } };
}

/** A residual of magnitude in [lo, hi] with a random sign. */
const away = (r: Rng, lo: number, hi: number) => r.sign() * r.uniform(lo, hi);

export const inputGenerators: Record<string, (r: Rng) => LossInputs> = {
  mse: (r) => elementwise(() => r.normal() * 2, (x) => x + r.normal()),
  l1: (r) => elementwise(() => r.normal(), (x) => x + away(r, 0.05, 2)),
  huber: (r) => elementwise(() => r.normal(), (x) => x + (r.uniform() < 0.5 ? away(r, 0.05, 0.6) : away(r, 0.9, 3)), { delta: 0.75 }),
  smooth_l1: (r) => elementwise(() => r.normal(), (x) => x + (r.uniform() < 0.5 ? away(r, 0.05, 0.4) : away(r, 0.6, 3)), { beta: 0.5 }),
  log_cosh: (r) => elementwise(() => r.normal() * 3, (x) => x + r.normal() * 2),
  quantile: (r) => elementwise(() => r.normal(), (x) => x + away(r, 0.05, 2), { q: 0.3 }),
  poisson_nll: (r) => elementwise(() => r.uniform(0.2, 3), () => r.int(6), { log_input: false, eps: 1e-3 }),
  msle: (r) => elementwise(() => r.uniform(0.1, 5), () => r.uniform(0, 5)),
  binary_cross_entropy: (r) => ({ ...elementwise(() => r.uniform(0.05, 0.95), () => r.uniform()), params: { weight: times(C, () => r.uniform(0.5, 2)) } }),
  bce_with_logits: (r) => ({
    ...elementwise(() => r.normal() * 3, () => r.uniform()),
    params: { weight: times(C, () => r.uniform(0.5, 2)), pos_weight: times(C, () => r.uniform(0.5, 3)) },
  }),
  hinge: (r) => elementwise(() => away(r, 0.1, 2), (x) => (r.uniform() < 0.5 ? 1 : -1) * (Math.abs(Math.abs(x) - 1) < 0.05 ? -1 : 1)),
  squared_hinge: (r) => elementwise(() => away(r, 0.1, 2), () => r.sign()),
  logistic: (r) => elementwise(() => r.normal() * 3, () => r.sign()),
  exponential: (r) => elementwise(() => r.normal(), () => r.sign()),
  zero_one: (r) => elementwise(() => away(r, 0.1, 2), () => r.sign()),
  // Cosines kept 0.1 or more from the margin 0.2 for the dissimilar pairs.
  cosine_embedding: (r) => {
    const input1 = times(N * C, () => r.normal());
    const input2 = times(N * C, () => r.normal());
    const targets = times(N, (i) => {
      let dot = 0;
      let a = 0;
      let b = 0;
      for (let k = 0; k < C; k++) {
        dot += input1[i * C + k] * input2[i * C + k];
        a += input1[i * C + k] ** 2;
        b += input2[i * C + k] ** 2;
      }
      return Math.abs(dot / Math.sqrt(a * b) - 0.2) < 0.1 ? 1 : r.sign();
    });
    return { predictions: input1, targets, shape: [N, C], targetShape: [N], params: { margin: 0.2 }, extra: { input2 } };
  },
  // Positives nearer than negatives by less than the margin 1 (every hinge open, far from its kink).
  triplet_margin: (r) => triplet(r),
  triplet_margin_with_distance: (r) => triplet(r),
  // Variances above eps (no clamp in the way of the finite differences).
  gaussian_nll: (r) => ({ ...elementwise(() => r.normal() * 2, (x) => x + r.normal()), extra: { var: times(N * C, () => r.uniform(0.2, 3)) } }),
  // Score differences kept 0.1 or more from the margin 0.3, where the hinge bends.
  margin_ranking: (r) => {
    const input1 = times(N * C, () => r.normal());
    const targets = times(N * C, () => r.sign());
    const input2 = input1.map((x, i) => x + targets[i] * (-0.3 + away(r, 0.1, 1.5))); // z = margin − y·(x1 − x2) = away(...)
    return { predictions: input1, targets, shape: [N, C], targetShape: [N, C], params: { margin: 0.3 }, extra: { input2 } };
  },
  // Distances kept 0.1 or more from the margin 0.8, where the dissimilar pairs' hinge bends.
  hinge_embedding: (r) => elementwise(() => 0.8 + away(r, 0.1, 1.5), () => r.sign(), { margin: 0.8 }),
  sigmoid_focal: (r) => elementwise(() => r.normal() * 2, () => r.int(2), { alpha: 0.3, gamma: 1.5 }),
  cross_entropy: (r) => rows(r, () => r.normal() * 2, { weight: times(C, () => r.uniform(0.5, 2)), label_smoothing: 0.1 }),
  nll: (r) => rows(r, () => -r.uniform(0.1, 4), { weight: times(C, () => r.uniform(0.5, 2)) }),
  categorical_crossentropy: (r) => ({ predictions: distributionRows(r), targets: distributionRows(r), shape: [N, C], targetShape: [N, C], params: { label_smoothing: 0.05 } }),
  sparse_categorical_crossentropy: (r) => ({ ...rows(r, () => 0), predictions: times(N * C, () => r.uniform(0.1, 2)) }),
  kl_div: (r) => ({ predictions: distributionRows(r).map(Math.log), targets: distributionRows(r), shape: [N, C], targetShape: [N, C], params: {} }),
  multilabel_soft_margin: (r) => ({ ...elementwise(() => r.normal() * 3, () => r.uniform()), params: { weight: times(C, () => r.uniform(-1, 2)) } }),
  multilabel_margin: (r) => {
    // Scores on a grid of 0.3 (no pair exactly 1 apart: no kink); each row lists 1 or 2 targets.
    const predictions = times(N * C, () => 0.3 * (r.int(11) - 5) + 0.05);
    const targets: number[] = [];
    for (let i = 0; i < N; i++) {
      const first = r.int(C);
      const row = [first, r.uniform() < 0.5 ? (first + 1) % C : -1];
      while (row.length < C) row.push(-1);
      targets.push(...row);
    }
    return { predictions, targets, shape: [N, C], targetShape: [N, C], params: {} };
  },
  multi_margin: (r) => {
    // Scores on a grid of 0.3 with margin 1.05: no margin term is within 0.15 of its kink.
    const base = rows(r, () => 0.3 * (r.int(11) - 5), { p: 2, margin: 1.05, weight: times(C, () => r.uniform(0.5, 2)) });
    return base;
  },
  categorical_hinge: (r) => {
    // Distinct scores on a grid (no ties for the largest wrong score) and one-hot targets.
    const predictions: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < N; i++) {
      const perm = times(C, (c) => c).sort(() => r.uniform() - 0.5);
      predictions.push(...perm.map((p) => 0.37 * p - 0.5));
      const y = r.int(C);
      targets.push(...times(C, (c) => (c === y ? 1 : 0)));
    }
    return { predictions, targets, shape: [N, C], targetShape: [N, C], params: {} };
  },
};
