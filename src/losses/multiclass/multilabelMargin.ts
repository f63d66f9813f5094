import { defineLoss } from '../types.ts';
import type { InputProblem, KernelInput } from '../types.ts';
import { noParams } from '../params.ts';
import { twoClassMargin } from '../plotSlices.ts';
import { tensor, times, N, C } from '../samples.ts';

// Row r lists its target classes in its targets row, up to the first −1 (what follows is not
// read). With T those entries (in order, repeats included, as PyTorch loops over them) and
// z_{j,i} = 1 − (x_j − x_i) for each j in T and each class i not in T:
//   ℓ = Σ_{j∈T} Σ_{i∉T} max(0, z_{j,i}) / C
//   dℓ/dx_i = #{j : z_{j,i} > 0}/C,  dℓ/dx_j = −#{i : z_{j,i} > 0}/C  (0 at the kink, as PyTorch).

/** Row r's targets before its first −1 must be integers in [0, C). */
function targetLists(input: KernelInput<unknown>, lo: number, hi: number): InputProblem | null {
  const { targets: t, cols: C } = input;
  for (let r = lo; r < hi; r++) {
    for (let k = r * C; k < (r + 1) * C; k++) {
      const v = t[k];
      if (v === -1) break;
      if (!Number.isInteger(v)) return { code: 'target_out_of_domain', field: 'targets', index: k, detail: `targets[${k}] = ${v}: a class index must be an integer` };
      if (v < 0 || v >= C) {
        return { code: 'class_index_out_of_range', field: 'targets', index: k, detail: `targets[${k}] = ${v}: class index out of range [0, ${C}) (only −1 ends a row's list)` };
      }
    }
  }
  return null;
}

export const multilabelMargin = defineLoss({
  name: 'multilabel_margin',
  aliases: [],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'multilabel_margin_loss', module: 'MultiLabelMarginLoss' } },
  docs: {
    summary: 'Multi-label margin (hinge) loss: every target class should score at least 1 above every other class.',
    formula: 'ℓ = Σ_{j∈targets} Σ_{i∉targets} max(0, 1 − (x_j − x_i)) / C',
    reductionRule: 'mean divides Σℓ by N.',
    reference: 'torch.nn.functional.multilabel_margin_loss',
    predictions: 'scores [N, C] (or unbatched [C], or a number: one class)',
    targets: 'class indices, same shape as predictions: each row lists its targets, the first −1 ends the list',
  },
  tensors: {
    layout: 'rows',
    targetLayout: 'same',
    shapes: { unbatched: true, scalar: true },
  },
  params: noParams,
  checks: {
    checkData: targetLists,
  },
  kernel({ predictions: x, targets: t, cols: C }, lo, hi, { perSample, gradient, gradScale }) {
    const isTarget = new Uint8Array(C);
    // The row's gradient is a sum of ±1/C terms: added in float64, written once.
    const g = new Float64Array(C);
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      const off = r * C;
      isTarget.fill(0);
      g.fill(0);
      let count = 0;
      while (count < C && t[off + count] !== -1) isTarget[t[off + count++]] = 1;
      let acc = 0;
      for (let k = 0; k < count; k++) {
        const j = t[off + k];
        for (let i = 0; i < C; i++) {
          if (isTarget[i] === 1) continue;
          const z = 1 - x[off + j] + x[off + i];
          if (z > 0) {
            acc += z;
            g[i] += gradScale / C;
            g[j] -= gradScale / C;
          }
        }
      }
      gradient?.set(g, off);
      const v = acc / C;
      sum += v;
      if (perSample !== null) perSample[r] = v;
    }
    return sum;
  },
  demo: {
    plot: twoClassMargin('list'),
    // Scores on a grid of 0.3 (no pair exactly 1 apart: no kink); each row lists 1 or 2 targets.
    sample: (r) => {
      const predictions = times(N * C, () => 0.3 * (r.int(11) - 5) + 0.05);
      const targets: number[] = [];
      for (let i = 0; i < N; i++) {
        const first = r.int(C);
        const row = [first, r.uniform() < 0.5 ? (first + 1) % C : -1];
        while (row.length < C) row.push(-1);
        targets.push(...row);
      }
      return { inputs: { predictions: tensor(predictions, [N, C]), targets: tensor(targets, [N, C]) }, params: {} };
    },
    example: { predictions: [[0.1, 0.2, 0.4, 0.8], [1.2, 0.3, -0.5, 0.1]], targets: [[3, 0, -1, 1], [0, -1, 0, 0]] },
  },
});
