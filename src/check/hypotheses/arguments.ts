// The arguments in the other order: the user's code called loss(targets, predictions). The
// reference is computed with the two swapped; its gradient is then with respect to what the user
// calls targets, which the kernels do not differentiate, so this explains a value and per-sample
// values only.
import { defineHypothesis, memo } from './hypothesis.ts';

export const swappedArguments = defineHypothesis({
  id: 'swapped_arguments',
  universal: true,
  stage: 'input',
  variants: (ctx) => {
    const { predictions, targets } = ctx.inputs;
    if (predictions === undefined || targets === undefined || predictions.data.length !== targets.data.length) return [];
    const swapped = { ...ctx.inputs, predictions: targets, targets: predictions };
    return [
      {
        runner: memo((r) => {
          const o = ctx.run(swapped, ctx.ref.params, r);
          return o === null ? null : { value: o.value, denominator: o.denominator, perSample: o.perSample };
        }),
      },
    ];
  },
  says: (_p, ref) => `you pass (targets, predictions) where ${ref.def.name} takes (predictions, targets)`,
});
