// How the user's code reduces the per-sample values, where it departs from the reference's rule:
// a sum where the reference averages, another denominator, the gradient of another reduction.
// Each variant is the reference's own per-sample values and gradients (the kernels' outputs under
// `sum`) divided by what the user's code divides by.
import { isMean, type Outputs } from '../outputs.ts';
import { defineHypothesis, memo, type CheckContext, type Runner } from './hypothesis.ts';

/** The value and gradients of Σ divided by `n` (per-sample values as they are). */
function dividedBy(sum: Outputs | null, n: number): Outputs | null {
  if (sum === null || n <= 0) return null;
  const g = sum.gradients === undefined ? undefined : Object.fromEntries(Object.entries(sum.gradients).map(([k, t]) => [k, { data: t.data.map((v) => v / n), shape: t.shape }]));
  return { value: (sum.value ?? Number.NaN) / n, denominator: n, perSample: sum.perSample, ...(g === undefined ? {} : { gradients: g }) };
}

const first = (ctx: CheckContext) => Object.values(ctx.inputs)[0];

/** A variant dividing Σ by `n` where the reference's mean divides by something else. */
function divisor(ctx: CheckContext, base: Runner, n: number) {
  const r = ctx.ref.reduction;
  const own = base(r);
  if (!isMean(r) || own === null || own.denominator === n) return [];
  return [{ runner: memo((red) => (isMean(red) ? dividedBy(base('sum'), n) : null)) }];
}

export const sumInsteadOfMean = defineHypothesis({
  id: 'sum_instead_of_mean',
  universal: true,
  stage: 'output',
  variants: (ctx, base) => (isMean(ctx.ref.reduction) ? [{ runner: memo((r) => (isMean(r) ? base('sum') : null)) }] : []),
  says: (_p, ref) => `you sum the per-sample losses where ${ref.def.name} takes their ${ref.reduction} (so your value and gradient are larger by its denominator)`,
});

export const meanOverElements = defineHypothesis({
  id: 'mean_over_elements',
  universal: false,
  stage: 'output',
  variants: (ctx, base) => divisor(ctx, base, first(ctx).data.length),
  says: (_p, ref) => `you average over every element of the predictions where ${ref.def.name} sums each row and averages over the rows`,
  tellsApart: 'rows of another length (more classes) scale the two differently',
});

export const meanOverRows = defineHypothesis({
  id: 'mean_over_rows',
  universal: true,
  stage: 'output',
  // Only where a row holds several elements: for rank 1 rows and elements are the same count.
  variants: (ctx, base) => (ctx.ref.def.tensors.layout === 'elementwise' && first(ctx).shape.length >= 2 ? divisor(ctx, base, first(ctx).shape[0]) : []),
  says: (_p, ref) => `you sum each row and average over the rows where ${ref.def.name} averages over every element`,
  tellsApart: 'rows of another length scale the two differently',
});

export const gradientOfSum = defineHypothesis({
  id: 'gradient_of_sum',
  universal: true,
  stage: 'output',
  variants: (ctx, base) =>
    isMean(ctx.ref.reduction)
      ? [
          {
            runner: memo((r) => {
              const own = base(r);
              const sum = base('sum');
              return own === null || sum === null || !isMean(r) ? null : { ...own, gradients: sum.gradients };
            }),
          },
        ]
      : [],
  says: (_p, ref) => `your value is the ${ref.reduction} but your gradient is that of the sum (larger by the mean's denominator)`,
});

export const unweightedDenominator = defineHypothesis({
  id: 'unweighted_denominator',
  universal: false,
  stage: 'output',
  variants: (ctx, base) => {
    const own = base(ctx.ref.reduction);
    return own?.perSample === undefined ? [] : divisor(ctx, base, own.perSample.data.length);
  },
  says: (_p, ref) => `you divide by the number of samples where ${ref.def.name} divides by the total weight of the targets it counts (class weights, ignore_index left out)`,
});
