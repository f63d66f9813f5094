// Factors the user's code has and the reference has not: a ½ (or 2), the gradient's sign, the
// base of the logarithm. Each variant is the reference's outputs times the factor.
import { scaled } from '../outputs.ts';
import { defineHypothesis, memo } from './hypothesis.ts';

export const halfFactor = defineHypothesis({
  id: 'half_factor',
  universal: true,
  stage: 'output',
  variants: (_ctx, base) => [0.5, 2].map((factor) => ({ params: { factor }, runner: memo((r) => scaled(base(r), factor)) })),
  says: (p, ref) => `your loss is ${p.factor} times ${ref.def.name}'s (a factor ${p.factor === 0.5 ? '½' : '2'} in your formula that the reference does not have)`,
});

export const gradientSign = defineHypothesis({
  id: 'gradient_sign',
  universal: true,
  stage: 'output',
  variants: (_ctx, base) => [{ runner: memo((r) => scaled(base(r), 1, -1)) }],
  says: (_p, ref) => `your gradient has the opposite sign of ${ref.def.name}'s (the gradient of −loss, or a descent step instead of the gradient)`,
});

export const logBase = defineHypothesis({
  id: 'log_base',
  universal: false,
  stage: 'output',
  variants: (_ctx, base) => [2, 10].map((b) => ({ params: { base: b }, runner: memo((r) => scaled(base(r), 1 / Math.log(b))) })),
  says: (p, ref) => `you take logarithms to base ${p.base} where ${ref.def.name} uses the natural logarithm`,
});
