// How the user's code takes the logarithm of a probability where it departs from the reference:
// it clips p first, adds ε inside the log, or does not clamp the log at −100 as PyTorch does.
// Binary cross-entropy on probabilities (PyTorch's, elementwise): each variant is its formula
// evaluated on the user's inputs, value and gradient, reduced by the reference's rule.
//   clip:        ℓ = BCE(clip(p, ε, 1 − ε)), dℓ/dp = BCE'(clip(p))·[ε < p < 1 − ε]
//   eps_in_log:  ℓ = −[t·log(p + ε) + (1 − t)·log(1 − p + ε)],  dℓ/dp = −t/(p + ε) + (1 − t)/(1 − p + ε)
//   no_clamp:    ℓ = −[t·log p + (1 − t)·log(1 − p)],  dℓ/dp = (p − t)/(p·(1 − p))
import { isMean, type Inputs, type Outputs } from '../outputs.ts';
import type { Reduction } from '../../losses/types.ts';
import { defineHypothesis, memo, type CheckContext } from './hypothesis.ts';

/** The clips users write: Keras's 1e-7, others common in code, float32's and float64's epsilon. */
export const CLIP_EPS = [1e-7, 1e-8, 1e-12, 1e-15, 2 ** -23, 2 ** -52];

/** Elementwise terms ℓ and dℓ/dp reduced as PyTorch's binary_cross_entropy reduces them. */
function reduce(per: Float64Array, dper: Float64Array, shape: number[], reduction: Reduction): Outputs | null {
  if (reduction === 'none' || per.length === 0) return null;
  let sum = 0;
  for (const v of per) sum += v;
  const n = isMean(reduction) ? per.length : 1;
  return { value: sum / n, denominator: n, perSample: { data: per, shape }, gradients: { predictions: { data: dper.map((g) => g / n), shape } } };
}

/** p and t of an unweighted PyTorch binary_cross_entropy reference, else null. */
function bce(ctx: CheckContext): { p: Float64Array; t: Float64Array; shape: number[] } | null {
  const { predictions, targets } = ctx.inputs;
  if (ctx.ref.def.name !== 'binary_cross_entropy' || ctx.ref.params.weight !== undefined || predictions === undefined || targets === undefined) return null;
  return { p: predictions.data, t: targets.data, shape: predictions.shape };
}

/** An ε the user's own per-sample values imply: ℓ = −log ε where t = 1 and p is below the clip. */
function fittedEps(ctx: CheckContext): number[] {
  const b = bce(ctx);
  const yours = ctx.yours?.perSample;
  if (b === null || yours === undefined || yours.data.length !== b.p.length) return [];
  for (let i = 0; i < b.p.length; i++) {
    if (b.t[i] !== 1 || !(b.p[i] < 1e-4) || !Number.isFinite(yours.data[i])) continue;
    const eps = Math.exp(-yours.data[i]);
    if (eps > b.p[i] && eps < 0.5 && !CLIP_EPS.some((e) => Math.abs(e - eps) <= 1e-9 * e)) return [eps];
  }
  return [];
}

export const clip = defineHypothesis({
  id: 'clip',
  universal: false,
  stage: 'input',
  variants: (ctx) => {
    const b = bce(ctx);
    if (b === null) return [];
    return [...CLIP_EPS, ...fittedEps(ctx)]
      .filter((eps) => b.p.some((p) => p < eps || p > 1 - eps))
      .map((eps) => ({
        params: { eps },
        runner: memo((r) => {
          const clipped: Inputs = { ...ctx.inputs, predictions: { data: b.p.map((p) => Math.min(Math.max(p, eps), 1 - eps)), shape: b.shape } };
          const o = ctx.run(clipped, ctx.ref.params, r);
          const g = o?.gradients?.predictions;
          if (o === null || g === undefined) return o;
          return { ...o, gradients: { predictions: { data: g.data.map((v, i) => (b.p[i] > eps && b.p[i] < 1 - eps ? v : 0)), shape: g.shape } } };
        }),
      }));
  },
  says: (p, ref) => `you clip p to [${p.eps}, 1 − ${p.eps}] before the log; ${ref.def.name} does not clip (PyTorch clamps each log at −100; Keras clips to [1e-7, 1 − 1e-7])`,
  tellsApart: 'a prediction between the two clips (or one of 0 or 1) tells the clips apart',
});

export const epsInLog = defineHypothesis({
  id: 'eps_in_log',
  universal: false,
  stage: 'input',
  variants: (ctx) => {
    const b = bce(ctx);
    if (b === null) return [];
    return CLIP_EPS.map((eps) => ({
      params: { eps },
      runner: memo((r) => {
        const per = b.p.map((p, i) => -(b.t[i] * Math.log(p + eps) + (1 - b.t[i]) * Math.log(1 - p + eps)));
        const dper = b.p.map((p, i) => -b.t[i] / (p + eps) + (1 - b.t[i]) / (1 - p + eps));
        return reduce(per, dper, b.shape, r);
      }),
    }));
  },
  says: (p, ref) => `you compute log(p + ${p.eps}) and log(1 − p + ${p.eps}) where ${ref.def.name} takes log p and log(1 − p)`,
  tellsApart: 'a prediction near 0 or 1 tells a clip from an ε inside the log',
});

export const noClamp = defineHypothesis({
  id: 'no_clamp',
  universal: false,
  stage: 'input',
  // Only where PyTorch's clamp of the log at −100 acts: p below e^−100, or 1 − p.
  variants: (ctx) => {
    const b = bce(ctx);
    if (b === null || !b.p.some((p) => Math.log(p) < -100 || Math.log1p(-p) < -100)) return [];
    return [
      {
        runner: memo((r) => {
          const per = b.p.map((p, i) => -(b.t[i] * Math.log(p) + (1 - b.t[i]) * Math.log1p(-p)));
          const dper = b.p.map((p, i) => (p - b.t[i]) / (p * (1 - p)));
          return reduce(per, dper, b.shape, r);
        }),
      },
    ];
  },
  says: (_p, ref) => `you take the log unclamped where ${ref.def.name} clamps each log at −100 (PyTorch's convention)`,
});
