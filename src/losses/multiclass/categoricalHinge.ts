import { twoClassMargin } from '../plotSlices.ts';
import { defineLoss } from '../types.ts';
import { noParams } from '../params.ts';
import type { InputProblem, KernelInput } from '../types.ts';
import { tensor, times, N, C } from '../samples.ts';

// Crammer–Singer: pos = Σ_c t_c·x_c (the true class's score), neg = max over j with t_j = 0 of x_j.
//   ℓ = max(0, 1 + neg - pos)
//   dℓ/dx_c = -t_c + [c = argmax neg] where ℓ > 0, else 0 (the first maximum takes the gradient).
// Keras's categorical_hinge takes max((1 - t)·x), which also sees the true class's 0 and differs
// when every wrong score is below 0; this follows the spec's formula.

/** Each row must be one-hot: entries 0 or 1 with exactly one 1. */
function oneHotRows({ targets: t, cols }: KernelInput<unknown>, lo: number, hi: number): InputProblem | null {
  for (let r = lo; r < hi; r++) {
    let ones = 0;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const v = t[i];
      if (v !== 0 && v !== 1) return { code: 'target_out_of_domain', field: 'targets', index: i, detail: `targets[${i}] = ${v}: one-hot targets must be 0 or 1` };
      if (v === 1 && ++ones > 1) return { code: 'target_out_of_domain', field: 'targets', index: i, detail: `targets[${i}]: row ${r} has more than one 1 (targets must be one-hot)` };
    }
    if (ones === 0) return { code: 'target_out_of_domain', field: 'targets', index: r * cols, detail: `targets row ${r} has no 1 (targets must be one-hot)` };
  }
  return null;
}

export const categoricalHinge = defineLoss({
  name: 'categorical_hinge',
  aliases: ['crammer_singer'],
  family: 'multiclass',
  docs: {
    summary: 'Crammer–Singer multi-class hinge: the true score should beat the best wrong score by 1.',
    formula: 'ℓ = max(0, 1 + max_{j: t_j=0} x_j − Σ_c t_c·x_c)',
    reductionRule: 'mean divides Σℓ by N.',
    reference: 'Crammer–Singer, written in torch ops as the formula',
    predictions: 'scores [N, C], C ≥ 2',
    targets: 'one-hot [N, C]',
  },
  tensors: {
    layout: 'rows',
    targetLayout: 'same',
  },
  params: noParams,
  checks: {
    checkParams: (input) =>
      input.cols < 2 ? { code: 'shape_mismatch', field: 'predictions', detail: 'categorical_hinge needs at least 2 classes (predictions [N, C] with C ≥ 2)' } : null,
    checkData: oneHotRows,
  },
  kernel({ predictions: x, targets: t, cols: C }, lo, hi, { perSample, gradient, gradScale }) {
    let sum = 0;
    for (let r = lo; r < hi; r++) {
      const off = r * C;
      let pos = 0;
      let neg = -Infinity;
      let k = -1;
      for (let c = 0; c < C; c++) {
        const xc = x[off + c];
        pos += t[off + c] * xc;
        if (t[off + c] === 0 && xc > neg) {
          neg = xc;
          k = c;
        }
      }
      const z = 1 + neg - pos;
      const v = Math.max(z , 0);
      if (gradient !== null) {
        for (let c = 0; c < C; c++) gradient[off + c] = z > 0 ? (-t[off + c] + (c === k ? 1 : 0)) * gradScale : 0;
      }
      sum += v;
      if (perSample !== null) perSample[r] = v;
    }
    return sum;
  },
  demo: {
    plot: twoClassMargin('one-hot'),
    // Distinct scores on a grid (no ties for the largest wrong score) and one-hot targets.
    sample: (r) => {
      const predictions: number[] = [];
      const targets: number[] = [];
      for (let i = 0; i < N; i++) {
        const perm = times(C, (c) => c).sort(() => r.uniform() - 0.5);
        predictions.push(...perm.map((p) => 0.37 * p - 0.5));
        const y = r.int(C);
        targets.push(...times(C, (c) => (c === y ? 1 : 0)));
      }
      return { inputs: { predictions: tensor(predictions, [N, C]), targets: tensor(targets, [N, C]) }, params: {} };
    },
    example: { predictions: [[2.0, 0.5, -1.0], [0.1, 1.5, 0.3]], targets: [[1, 0, 0], [0, 0, 1]] },
  },
});
