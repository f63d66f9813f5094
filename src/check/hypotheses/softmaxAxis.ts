// Softmax over the wrong axis: the user's cross-entropy normalises class scores [N, C] over the
// samples (axis 0) instead of the classes. With lse_c = log Σ_j e^{x[j, c]} (over the rows):
//   ℓ_i = lse_{y_i} − x[i, y_i],   d(Σ_i ℓ_i)/dx[j, c] = n_c·s_c[j] − [y_j = c]
// where s_c[j] = e^{x[j, c] − lse_c} and n_c counts the samples of class c; the mean divides by N.
import { isMean } from '../outputs.ts';
import { defineHypothesis, memo } from './hypothesis.ts';

export const softmaxAxis = defineHypothesis({
  id: 'softmax_axis',
  universal: false,
  stage: 'input',
  variants: (ctx) => {
    const { predictions: x, targets: t } = ctx.inputs;
    const p = ctx.ref.params;
    const plain = p.weight === undefined && (p.label_smoothing ?? 0) === 0 && p.from_logits !== false;
    if (x === undefined || t === undefined || x.shape.length !== 2 || t.data.length !== x.shape[0] || !plain) return [];
    const [N, C] = x.shape;
    if (t.data.some((y) => !(y >= 0 && y < C && Number.isInteger(y)))) return [];
    const lse = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < N; j++) m = Math.max(m, x.data[j * C + c]);
      let s = 0;
      for (let j = 0; j < N; j++) s += Math.exp(x.data[j * C + c] - m);
      lse[c] = m + Math.log(s);
    }
    const per = Float64Array.from({ length: N }, (_, i) => lse[t.data[i]] - x.data[i * C + t.data[i]]);
    const count = new Float64Array(C);
    for (const y of t.data) count[y]++;
    const gsum = new Float64Array(N * C);
    for (let j = 0; j < N; j++) for (let c = 0; c < C; c++) gsum[j * C + c] = count[c] * Math.exp(x.data[j * C + c] - lse[c]) - (t.data[j] === c ? 1 : 0);
    return [
      {
        params: { axis: 0 },
        runner: memo((r) => {
          if (r === 'none') return null;
          const n = isMean(r) ? N : 1;
          let sum = 0;
          for (const v of per) sum += v;
          return { value: sum / n, denominator: n, perSample: { data: per, shape: [N] }, gradients: { predictions: { data: gsum.map((g) => g / n), shape: x.shape } } };
        }),
      },
    ];
  },
  says: (p, ref) => `you normalise over axis ${p.axis} (the samples) where ${ref.def.name} takes the softmax over the classes (axis 1)`,
});
