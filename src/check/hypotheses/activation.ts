// Where the activation is applied: the user applies sigmoid (or softmax, for class scores) to
// predictions that the reference treats as probabilities already, or that it turns into
// probabilities itself (so it is applied twice); or feeds logits to a probability formula.
//   probabilities_as_logits:  yours = ref(σ(x)),  d/dx = σ(x)(1 − σ(x))·ref'(σ(x))   (softmax along
//                             the last axis for row losses: d/dx = p ⊙ (g − Σ g·p))
//   logits_as_probabilities:  yours = the reference with from_logits false, on the logits x
import type { Inputs, Outputs, Tensor } from '../outputs.ts';
import { defineHypothesis, memo, type CheckContext } from './hypothesis.ts';

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** The activation of the predictions, and the vector-Jacobian product that takes a gradient
 *  with respect to its output back to the predictions. */
function activate(ctx: CheckContext, x: Tensor): { y: Tensor; back: (g: Tensor) => Tensor } {
  if (ctx.ref.def.tensors.layout === 'elementwise' || x.shape.length === 0) {
    const y = x.data.map(sigmoid);
    return { y: { data: y, shape: x.shape }, back: (g) => ({ data: g.data.map((v, i) => v * y[i] * (1 - y[i])), shape: g.shape }) };
  }
  const C = x.shape[x.shape.length - 1];
  const y = new Float64Array(x.data.length);
  for (let off = 0; off < y.length; off += C) {
    let m = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < C; c++) m = Math.max(m, x.data[off + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += y[off + c] = Math.exp(x.data[off + c] - m);
    for (let c = 0; c < C; c++) y[off + c] /= s;
  }
  return {
    y: { data: y, shape: x.shape },
    back: (g) => {
      const out = new Float64Array(g.data.length);
      for (let off = 0; off < out.length; off += C) {
        let dot = 0;
        for (let c = 0; c < C; c++) dot += g.data[off + c] * y[off + c];
        for (let c = 0; c < C; c++) out[off + c] = y[off + c] * (g.data[off + c] - dot);
      }
      return { data: out, shape: g.shape };
    },
  };
}

/** Whether the reference takes logits: its name says so, or its from_logits parameter. */
const takesLogits = (ctx: CheckContext) => ctx.ref.params.from_logits === true || ['bce_with_logits', 'cross_entropy', 'multilabel_soft_margin', 'sigmoid_focal'].includes(ctx.ref.def.name);

export const probabilitiesAsLogits = defineHypothesis({
  id: 'probabilities_as_logits',
  universal: false,
  stage: 'input',
  variants: (ctx) => {
    const x = ctx.inputs.predictions;
    if (x === undefined) return [];
    const { y, back } = activate(ctx, x);
    return [
      {
        params: { activation: ctx.ref.def.tensors.layout === 'elementwise' ? 'sigmoid' : 'softmax' },
        runner: memo((r) => {
          const o: Outputs | null = ctx.run({ ...ctx.inputs, predictions: y } as Inputs, ctx.ref.params, r);
          const g = o?.gradients?.predictions;
          return o === null || g === undefined ? o : { ...o, gradients: { ...o.gradients, predictions: back(g) } };
        }),
      },
    ];
  },
  says: (p, ref) =>
    ref.params.from_logits === true || ref.def.name !== 'binary_cross_entropy'
      ? `you apply ${p.activation} to the predictions before ${ref.def.name}, which applies it again (it takes logits)`
      : `you apply ${p.activation} to predictions that are probabilities already (${ref.def.name} takes them as they are)`,
});

export const logitsAsProbabilities = defineHypothesis({
  id: 'logits_as_probabilities',
  universal: false,
  stage: 'input',
  variants: (ctx) => (ctx.ref.params.from_logits === true && takesLogits(ctx) ? [{ runner: memo((r) => ctx.run(ctx.inputs, { ...ctx.ref.params, from_logits: false }, r)) }] : []),
  says: (_p, ref) => `you feed the logits to the probability formula (from_logits false), where ${ref.def.name} was asked with from_logits true`,
});
