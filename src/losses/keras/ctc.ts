import { noParams } from '../params.ts';
import { logSumExp } from '../math.ts';
import { ctcSample, ctcScratch, unalignable } from '../multiclass/ctc.ts';
import { tensor, times, type Random } from '../samples.ts';
import type { Arrangement, FloatArray, InputProblem, LossDefinition, Reduction, SentTensors } from '../types.ts';
import { KERAS_REDUCTION_RULE, KERAS_REDUCTIONS, kerasInputs, weighting } from './kerasLoss.ts';

// Keras's CTC (keras.losses.CTC on the torch backend: log_softmax, then F.ctc_loss with
// reduction none), in Keras's conventions: predictions are logits [N, T, C], batch-major, every
// sample uses all T frames; targets [N, S] hold labels with 0 as the blank and the padding. Keras
// takes a row's label count L as its number of non-zero entries and hands the padded rows to the
// CTC, which reads each row's first L entries: a 0 among them (row [1, 0, 2, 0]: L = 2, labels
// [1, 0]) is a label equal to the blank, and is computed as PyTorch's ctc_loss computes it (the
// recursion below allows a skip between two labels that differ, whatever they are). Per-sample is
// −log p(labels | x), not divided by the label count; Keras's reductions then apply.
// The forward–backward recursion is PyTorch's (multiclass/ctc.ts, derived there) on
// lp = x − logsumexp(x) per frame; its gradient exp(lp) − γ is the gradient with respect to the
// logits x, which is what Keras's autograd gives.
const BLANK = 0;

function arrange(sent: SentTensors, _params: unknown, reduction: Reduction): Arrangement | InputProblem {
  const p = sent.predictions!;
  const t = sent.targets!;
  if (p.shape.length !== 3) return { code: 'shape_mismatch', field: 'predictions', detail: `predictions have shape [${p.shape.join(', ')}]; keras.ctc takes logits of shape [batch, steps, classes]` };
  if (t.shape.length !== 2) return { code: 'shape_mismatch', field: 'targets', detail: `targets have shape [${t.shape.join(', ')}]; keras.ctc takes integer labels of shape [batch, max_length]` };
  const [n, steps, classes] = p.shape;
  const S = t.shape[1];
  if (t.shape[0] !== n) return { code: 'shape_mismatch', field: 'targets', detail: `targets hold ${t.shape[0]} rows of labels for a batch of ${n}` };
  const lengths = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = i * S; k < (i + 1) * S; k++) {
      const v = t.data[k];
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        return { code: 'class_index_out_of_range', field: 'targets', index: k, detail: `targets[${k}] = ${v}: a label must be an integer in [0, ${classes}) (0 is the blank and the padding)` };
      }
      if (v !== BLANK) lengths[i]++;
    }
  }
  const w = weighting([n], sent.sample_weight, reduction, null);
  if ('code' in w) return w;
  return {
    shape: [n, steps, classes],
    predictions: p.data as FloatArray,
    targets: t.data,
    targetsAreIndices: false,
    extra: {
      unit_weight: w.unitWeight,
      label_lengths: lengths,
      label_starts: Float64Array.from({ length: n }, (_, i) => i * S),
      frames: new Float64Array(n).fill(steps),
    },
    shapes: { gradient: p.shape, perSample: w.perSample },
    transpose: null,
    denominator: w.denominator,
    weighting: w.weighting,
  };
}

export const kerasCtc: LossDefinition = {
  name: 'keras.ctc',
  aliases: [],
  family: 'keras',
  libraryNames: { keras: { function: 'ctc', class: 'CTC' } },
  docs: {
    summary: "Keras's CTC loss: logits [batch, steps, classes], labels padded with 0 (the blank), every sample over all steps.",
    formula: 'ℓ_n = −log Σ_{alignments π of the non-zero labels of row n over T steps} Π_t softmax(x[n, t])_{π_t}',
    reductionRule: KERAS_REDUCTION_RULE,
    reference: 'keras.losses.CTC (Keras 3.16)',
    predictions: 'logits [N, T, C] (batch-major)',
    targets: 'labels [N, S]: integers in [0, C), 0 the blank and the padding; row n\'s labels are its first L_n entries, L_n its count of non-zero entries',
  },
  tensors: {
    inputs: kerasInputs('logits [N, T, C] (batch-major)', 'labels [N, S]: integers in [0, C), 0 the blank and the padding; a row\'s labels are its first L entries, L its count of non-zero entries (a 0 among them is a label equal to the blank, as Keras computes it)', [-1, -1]).map((i) =>
      i.name === 'predictions' ? { ...i, metadata: { datatype: 'FP64' as const, shape: [-1, -1, -1], accepts: 'FP32 or FP64; logits [N, T, C]' } } : i,
    ),
    layout: 'rows',
    targetLayout: 'same',
    arrange,
  },
  reductions: KERAS_REDUCTIONS,
  params: noParams,
  checks: {
    checkData: ({ extra: { frames, label_lengths, label_starts }, targets }, lo, hi) => unalignable(frames, label_lengths, targets, label_starts, lo, hi, 'Keras returns inf'),
  },
  kernel({ predictions: x, targets, shape: [, T, C], extra: { unit_weight: w, label_lengths, label_starts, frames } }, lo, hi, { perSample, gradient, gradScale }) {
    const scratch = ctcScratch(frames, label_lengths, lo, hi, C);
    const lp = new Float64Array(T * C);
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const base = i * T * C;
      gradient?.fill(0, base, base + T * C);
      if (w[i] === 0) {
        if (perSample !== null) perSample[i] = 0;
        continue;
      }
      // log_softmax of each frame's logits, max-subtracted.
      for (let t = 0; t < T; t++) {
        const lse = logSumExp(x, base + t * C, C);
        for (let c = 0; c < C; c++) lp[t * C + c] = x[base + t * C + c] - lse;
      }
      const sample = { frames: T, labels: targets, start: label_starts[i], length: label_lengths[i], blank: BLANK };
      // One pass for the value and, when asked, the gradient, which overwrites lp frame by frame
      // after each frame is read (ctcSample writes none for an infinite value).
      const nll = ctcSample(lp, 0, C, sample, scratch, gradient === null ? null : lp, gradScale * w[i]);
      if (perSample !== null) perSample[i] = nll;
      sum += w[i] * nll;
      if (gradient === null || !Number.isFinite(nll)) continue;
      // The gradient with respect to the logits is g − softmax(x)·Σ_c g_c per frame (Keras's
      // autograd through log_softmax). PyTorch's g sums to 0 over each frame, so g is the answer,
      // but for the last frame of a row whose last label equals the blank, where PyTorch's CPU
      // backward keeps one of the blank's two terms (multiclass/ctc.ts): there the sum is not 0.
      const L = label_lengths[i];
      if (L > 0 && targets[label_starts[i] + L - 1] === BLANK) {
        const last = (T - 1) * C;
        let g = 0;
        for (let c = 0; c < C; c++) g += lp[last + c];
        const lse = logSumExp(x, base + last, C);
        for (let c = 0; c < C; c++) lp[last + c] -= Math.exp(x[base + last + c] - lse) * g;
      }
      gradient.set(lp, base);
    }
    return sum;
  },
  demo: {
    plot: {
      axis: 'prediction',
      label: 'logit x of the label in each of 3 steps (the blank at 0; target: the one label)',
      range: [-4, 4],
      at: (x) => ({ predictions: [[[0, x], [0, x], [0, x]]], targets: [[1]], dPredictions: [0, 1, 0, 1, 0, 1] }),
    },
    sample: (r: Random) => {
      const [N, T, C] = [4, 5, 4];
      const labels = Array.from({ length: N }, () => {
        const L = 1 + r.int(2);
        const row = times(3, (k) => (k < L ? 1 + r.int(C - 1) : 0));
        // Now and then a 0 first: the row's labels then begin with a label equal to the blank.
        return L === 2 && r.int(3) === 0 ? [0, ...row.slice(0, 2)] : row;
      });
      return { inputs: { predictions: tensor(times(N * T * C, () => 1.5 * r.normal()), [N, T, C]), targets: tensor(labels.flat(), [N, 3]), sample_weight: tensor(times(N, () => r.uniform(0, 2)), [N]) }, params: {} };
    },
    example: {
      inputs: {
        predictions: [
          [[0.2, 0.9, -0.4], [0.5, 0.5, -0.3], [-0.2, 0.1, 0.6], [1.1, -0.1, -0.5]],
          [[0.6, 0.0, 0.2], [0.1, 0.8, -0.4], [0.3, -0.5, 0.8], [0.4, 0.6, -0.2]],
        ],
        targets: [
          [1, 2],
          [2, 0],
        ],
      },
    },
  },
};
