// Label smoothing by another convention than the reference's: with ε, a target t becomes
//   binary (Keras's binary losses):      t·(1 − ε) + ε/2
//   classes (PyTorch, Keras categorical): t·(1 − ε) + ε/C
//   others:                               t·(1 − ε) + (1 − t)·ε/(C − 1)
// (C the last axis's length). Each variant is the reference without smoothing on the targets
// smoothed the user's way (class indices as one-hot rows).
import type { Inputs, Tensor } from '../outputs.ts';
import { defineHypothesis, memo, type CheckContext } from './hypothesis.ts';

const CONVENTIONS = ['binary', 'classes', 'others'] as const;
type Convention = (typeof CONVENTIONS)[number];

/** The targets as probabilities of the predictions' shape (class indices one-hot). */
function asProbabilities(ctx: CheckContext): Tensor | null {
  const { predictions: x, targets: t } = ctx.inputs;
  if (x === undefined || t === undefined) return null;
  if (t.data.length === x.data.length) return t;
  const C = x.shape[x.shape.length - 1];
  if (t.data.length * C !== x.data.length) return null;
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < t.data.length; i++) out[i * C + t.data[i]] = 1;
  return { data: out, shape: x.shape };
}

function smooth(t: Tensor, eps: number, C: number, convention: Convention): Tensor {
  const data = t.data.map((v) => (convention === 'binary' ? v * (1 - eps) + eps / 2 : convention === 'classes' ? v * (1 - eps) + eps / C : v * (1 - eps) + ((1 - v) * eps) / (C - 1)));
  return { data, shape: t.shape };
}

export const labelSmoothingConvention = defineHypothesis({
  id: 'label_smoothing_convention',
  universal: false,
  stage: 'input',
  variants: (ctx) => {
    const eps = ctx.ref.params.label_smoothing;
    const t = asProbabilities(ctx);
    const x = ctx.inputs.predictions;
    if (typeof eps !== 'number' || eps <= 0 || t === null || x === undefined) return [];
    const C = x.shape[x.shape.length - 1] ?? 1;
    const own: Convention = ctx.ref.def.name.includes('binary') ? 'binary' : 'classes';
    return CONVENTIONS.filter((c) => c !== own && (c !== 'others' || C > 1)).map((convention) => ({
      params: { convention },
      runner: memo((r) => ctx.run({ ...ctx.inputs, targets: smooth(t, eps, C, convention) } as Inputs, { ...ctx.ref.params, label_smoothing: 0 }, r)),
    }));
  },
  says: (p, ref) => {
    const rule = { binary: 't·(1 − ε) + ε/2', classes: 't·(1 − ε) + ε/C', others: 't·(1 − ε) + (1 − t)·ε/(C − 1)' }[p.convention as Convention];
    return `you smooth the labels as ${rule}, which is not ${ref.def.name}'s convention`;
  },
});
