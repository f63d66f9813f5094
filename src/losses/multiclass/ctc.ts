import { z } from 'zod';
import { defineLoss, type FloatArray, type InputProblem, type KernelInput, type TensorInput } from '../types.ts';
import { tensor, times, type Random } from '../samples.ts';
import { sameShape, shapeText } from '../layout.ts';

// Connectionist temporal classification (Graves et al. 2006), as F.ctc_loss computes it.
// Sample n has T_n = input_lengths[n] frames of log-probabilities lp[t, c] and L = target_lengths[n]
// labels l_1 … l_L. The extended labels l′ put a blank around each label: l′ = (b, l_1, b, …, l_L, b),
// S′ = 2L + 1. Every path of T_n frames that collapses to l (merge repeats, drop blanks) is an
// alignment; the loss is −log Σ_paths Π_t exp(lp[t, path_t]).
//
// Forward variables, in log space (products of probabilities underflow long before T = 100):
//   α_0(0) = lp[0, b],  α_0(1) = lp[0, l_1],  α_0(s) = −∞ otherwise
//   α_t(s) = logsumexp(α_{t−1}(s), α_{t−1}(s−1), [α_{t−1}(s−2) if l′_s ≠ b and l′_s ≠ l′_{s−2}]) + lp[t, l′_s]
//   nll = −logsumexp(α_{T_n−1}(S′−1), α_{T_n−1}(S′−2))
// Backward variables, mirrored (both include the emission at t, as PyTorch's do):
//   β_{T_n−1}(S′−1) = lp[T_n−1, b],  β_{T_n−1}(S′−2) = lp[T_n−1, l_L]
//   β_t(s) = logsumexp(β_{t+1}(s), β_{t+1}(s+1), [β_{t+1}(s+2) if l′_s ≠ b and l′_s ≠ l′_{s+2}]) + lp[t, l′_s]
// logsumexp(a, b) = max + log1p(exp(−|a − b|)), with −∞ absorbed: never exp of a large number.
//
// Gradient, PyTorch's convention (see the golden README): with the posterior
//   γ_t(c) = exp(log Σ_{s: l′_s = c} α_t(s)·β_t(s) + nll − lp[t, c])
// it answers exp(lp[t, c]) − γ_t(c) for t < T_n and 0 beyond: the derivative with respect to the
// logits when lp = log_softmax(logits) (the derivative with respect to lp as free variables would
// be −γ_t(c)). Summed along any change that keeps each frame a distribution, both give the same slope.
//
// A sample has no alignment when T_n < L + (the number of adjacent repeated labels, each needing a
// blank between them): its loss is +∞. zero_infinity counts it as 0 (value and gradient); without
// it the request is refused with 422 before any compute (checkData).
// Reductions: sum adds the nll; mean is (1/N)·Σ_n nll_n / max(L_n, 1), so the kernel divides
// each sample by its target length itself and the denominator is N.

const NEG_INF = Number.NEGATIVE_INFINITY;

/** log(e^a + e^b) without overflow; −∞ is the identity. */
export function logAddExp(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** A row of log-probabilities from scores (for the example). */
const logSoftmax = (scores: number[]) => {
  const lse = scores.reduce(logAddExp, NEG_INF);
  return scores.map((x) => x - lse);
};

interface CtcParams {
  blank: number;
  zero_infinity: boolean;
}

const inputs: readonly TensorInput[] = [
  {
    name: 'log_probs',
    differentiable: true,
    description: 'log-probabilities [T, N, C] (time-major; each [t, n] row a log-softmax) or unbatched [T, C]',
    gradientConvention: 'logits',
    metadata: { datatype: 'FP64', shape: [-1, -1, -1], accepts: 'FP32 or FP64; [T, N, C], or unbatched [T, C]' },
  },
  {
    name: 'targets',
    differentiable: false,
    description: 'labels in [0, C), never the blank: padded [N, S] (row n read up to target_lengths[n]) or 1-D, the samples concatenated; unbatched: 1-D',
    shape: 'free',
    integer: true,
    metadata: { datatype: 'INT64', shape: [-1, -1], accepts: 'INT64, INT32, or floats holding integers; padded [N, S], or concatenated [Σ target_lengths]; unbatched [S]' },
  },
  {
    name: 'input_lengths',
    differentiable: false,
    description: 'frames per sample, each in [0, T]: [N] (unbatched: a bare integer)',
    shape: 'free',
    integer: true,
    metadata: { datatype: 'INT64', shape: [-1], accepts: 'INT64, INT32, or floats holding integers; [N], or [] unbatched' },
  },
  {
    name: 'target_lengths',
    differentiable: false,
    description: 'labels per sample, each ≥ 0 (and ≤ S for padded targets): [N] (unbatched: a bare integer)',
    shape: 'free',
    integer: true,
    metadata: { datatype: 'INT64', shape: [-1], accepts: 'INT64, INT32, or floats holding integers; [N], or [] unbatched' },
  },
];


/** The shapes and lengths, O(N + Σ L): every 400 of the spec, on the main thread. */
function checkCtc({ shape: [n, frames, classes], extra, sentShapes = {}, params: { blank } }: KernelInput<CtcParams>): InputProblem | null {
  const bad = (field: string, detail: string, index?: number): InputProblem => ({ code: 'shape_mismatch', field, detail, index });
  const lp = sentShapes.log_probs;
  const unbatched = lp.length === 2;
  const lengthShape = unbatched ? [] : [n];
  for (const name of ['input_lengths', 'target_lengths']) {
    if (!sameShape(sentShapes[name], lengthShape)) {
      return bad(name, `${name} has shape ${shapeText(sentShapes[name])}; for log_probs ${shapeText(lp)} ctc needs ${unbatched ? '[] (a bare integer)' : `${shapeText(lengthShape)}, one per sample`}`);
    }
  }
  const t = sentShapes.targets;
  const padded = unbatched ? t.length === 1 : t.length === 2 && t[0] === n;
  if (!padded && (unbatched || t.length !== 1)) {
    return bad('targets', `targets have shape ${shapeText(t)}; for log_probs ${shapeText(lp)} ctc needs ${unbatched ? '[S]' : `padded [${n}, S] or concatenated [Σ target_lengths]`}`);
  }
  if (blank >= classes) return { code: 'invalid_params', field: 'params.blank', detail: `blank = ${blank} is not a class of log_probs: it must be in [0, ${classes})` };
  const S = padded ? t[t.length - 1] : Number.POSITIVE_INFINITY;
  const { input_lengths: il, target_lengths: tl, targets: labels } = extra;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const range = (name: string, v: number, max: number, what: string) =>
      v < 0 ? `${name}[${i}] = ${v} is negative` : v > max ? `${name}[${i}] = ${v} is above ${what}` : null;
    const frame = range('input_lengths', il[i], frames, `T = ${frames}, the frames of log_probs`);
    if (frame !== null) return { code: 'invalid_tensor', field: 'input_lengths', index: i, detail: frame };
    const label = range('target_lengths', tl[i], S, `S = ${S}, the length of the padded targets`);
    if (label !== null) return { code: 'invalid_tensor', field: 'target_lengths', index: i, detail: label };
    total += tl[i];
  }
  if (!padded && total !== labels.length) {
    return { code: 'shape_mismatch', field: 'target_lengths', detail: `target_lengths add up to ${total} but the concatenated targets hold ${labels.length} labels` };
  }
  // Only the labels each sample reads: padding beyond target_lengths[n] is never looked at.
  for (let i = 0, start = 0; i < n; i++) {
    const from = padded ? i * S : start;
    for (let k = from; k < from + tl[i]; k++) {
      const v = labels[k];
      if (v < 0 || v >= classes) return { code: 'class_index_out_of_range', field: 'targets', index: k, detail: `targets[${k}] = ${v}: a label must be in [0, ${classes})` };
      if (v === blank) return { code: 'target_out_of_domain', field: 'targets', index: k, detail: `targets[${k}] = ${v} is the blank; a label is any class but blank = ${blank}` };
    }
    start += tl[i];
  }
  return null;
}

/** Labels that no alignment of T_n frames can produce: refused (422) unless zero_infinity. */
function checkAlignments({ extra, params: { zero_infinity } }: KernelInput<CtcParams>, lo: number, hi: number): InputProblem | null {
  if (zero_infinity) return null;
  const { input_lengths: il, target_lengths: tl, targets: labels, target_starts: starts } = extra;
  return unalignable(il, tl, labels, starts, lo, hi, 'PyTorch returns inf (input_lengths names the frames); set zero_infinity to count such samples as 0');
}

/** One sample's frames and labels: labels[start .. start + length) over `frames` frames. */
export interface CtcSample {
  frames: number;
  labels: ArrayLike<number>;
  start: number;
  length: number;
  blank: number;
}

/** Work arrays for the samples of rows [lo, hi): α and β of the longest, and C posteriors. */
export function ctcScratch(frames: ArrayLike<number>, lengths: ArrayLike<number>, lo: number, hi: number, C: number) {
  let size = 0;
  for (let i = lo; i < hi; i++) size = Math.max(size, frames[i] * (2 * lengths[i] + 1));
  let width = 1;
  for (let i = lo; i < hi; i++) width = Math.max(width, 2 * lengths[i] + 1);
  return { alpha: new Float64Array(size), beta: new Float64Array(size), posterior: new Float64Array(C), extended: new Float64Array(width), skip: new Uint8Array(width) };
}

/** The sample's −log likelihood from its log-probabilities lp[base + t·C + c]; with `gradient`,
 *  also PyTorch's gradient (exp(lp) − γ, times `scale`) for its frames t < frames, written at the
 *  same offsets (the caller zeroes the rest). */
export function ctcSample(lp: FloatArray, base: number, C: number, { frames, labels, start, length: L, blank }: CtcSample, scratch: ReturnType<typeof ctcScratch>, gradient: FloatArray | null, scale: number): number {
  if (frames === 0) return L === 0 ? 0 : Number.POSITIVE_INFINITY; // PyTorch: no frames align only the empty target
  const { alpha, beta, posterior, extended, skip } = scratch;
  const width = 2 * L + 1;
  // The extended labels (a blank around each label), and where a state may be reached from two
  // states back: a blank may be skipped between two labels that differ.
  for (let s = 0; s < width; s++) extended[s] = s % 2 === 0 ? blank : labels[start + (s - 1) / 2];
  for (let s = 0; s < width; s++) skip[s] = s % 2 === 1 && s > 1 && extended[s] !== extended[s - 2] ? 1 : 0;
  alpha.fill(NEG_INF, 0, frames * width);
  alpha[0] = lp[base + blank];
  if (L > 0) alpha[1] = lp[base + extended[1]];
  for (let t = 1; t < frames; t++) {
    const row = t * width;
    const prev = row - width;
    const emit = base + t * C;
    for (let s = 0; s < width; s++) {
      let a = alpha[prev + s];
      if (s > 0) a = logAddExp(a, alpha[prev + s - 1]);
      if (skip[s] === 1) a = logAddExp(a, alpha[prev + s - 2]);
      alpha[row + s] = a === NEG_INF ? NEG_INF : a + lp[emit + extended[s]];
    }
  }
  const last = (frames - 1) * width;
  const nll = -logAddExp(alpha[last + width - 1], width > 1 ? alpha[last + width - 2] : NEG_INF);
  if (gradient === null || nll === Number.POSITIVE_INFINITY) return nll;
  beta.fill(NEG_INF, 0, frames * width);
  beta[last + width - 1] = lp[base + (frames - 1) * C + blank];
  if (L > 0) beta[last + width - 2] = lp[base + (frames - 1) * C + extended[width - 2]];
  for (let t = frames - 2; t >= 0; t--) {
    const row = t * width;
    const next = row + width;
    const emit = base + t * C;
    for (let s = 0; s < width; s++) {
      let b = beta[next + s];
      if (s < width - 1) b = logAddExp(b, beta[next + s + 1]);
      if (s < width - 2 && skip[s + 2] === 1) b = logAddExp(b, beta[next + s + 2]);
      beta[row + s] = b === NEG_INF ? NEG_INF : b + lp[emit + extended[s]];
    }
  }
  for (let t = 0; t < frames; t++) {
    posterior.fill(NEG_INF);
    const row = t * width;
    for (let s = 0; s < width; s++) {
      const c = extended[s];
      posterior[c] = logAddExp(posterior[c], alpha[row + s] + beta[row + s]);
    }
    // PyTorch's CPU backward sets, not adds, the last frame's two terms (its comment: "a blank and
    // a non-blank, so we know they are different"): where the last label equals the blank (Keras
    // hands such labels over, keras/ctc.ts), the blank's term at the last frame is the label's alone.
    if (t === frames - 1 && L > 0 && extended[width - 2] === blank) posterior[blank] = alpha[row + width - 2] + beta[row + width - 2];
    const emit = base + t * C;
    // A class that no state of the sample emits has γ = 0 (e^−∞): its term is e^x alone, the same
    // bits, without the second exponential (most classes, for a sample's few labels).
    for (let c = 0; c < C; c++) {
      const x = lp[emit + c];
      const g = posterior[c];
      gradient[emit + c] = (g === NEG_INF ? Math.exp(x) : Math.exp(x) - Math.exp(g + nll - x)) * scale;
    }
  }
  return nll;
}

/** The first sample of [lo, hi) whose labels no alignment of its frames can produce (each
 *  repeated pair needs a blank between), as a 422; null if none. `why` ends the message. */
export function unalignable(frames: ArrayLike<number>, lengths: ArrayLike<number>, labels: ArrayLike<number>, starts: ArrayLike<number>, lo: number, hi: number, why: string): InputProblem | null {
  for (let i = lo; i < hi; i++) {
    const L = lengths[i];
    let repeats = 0;
    for (let k = starts[i] + 1; k < starts[i] + L; k++) if (labels[k] === labels[k - 1]) repeats++;
    if (frames[i] < L + repeats) {
      const blanks = repeats === 0 ? '' : ` and the ${repeats} blank${repeats === 1 ? '' : 's'} that must separate repeated labels`;
      return { code: 'result_not_finite', detail: `sample ${i} has no alignment: its ${frames[i]} frames cannot hold its ${L} labels${blanks}, so its loss is infinite; ${why}` };
    }
  }
  return null;
}

export const ctc = defineLoss({
  name: 'ctc',
  aliases: [],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'ctc_loss', module: 'CTCLoss' } },
  docs: {
    summary: 'Connectionist temporal classification: the label sequence over every alignment of the frames (speech, handwriting).',
    formula: 'ℓ_n = −log Σ_{alignments π of targets_n in input_lengths[n] frames} Π_t exp(log_probs[t, n, π_t])',
    reductionRule: 'mean is (1/N)·Σ_n ℓ_n / max(target_lengths[n], 1); sum adds the ℓ_n.',
    reference: 'torch.nn.functional.ctc_loss',
    predictions: 'log-probabilities [T, N, C] (or unbatched [T, C])',
    targets: 'labels, padded [N, S] or concatenated, with input_lengths and target_lengths',
  },
  tensors: {
    inputs,
    targetInput: null,
    layout: 'sequences',
    targetLayout: 'none',
  },
  params: z.strictObject({
    blank: z.number().int({ error: 'blank must be an integer' }).min(0, { error: 'blank must be ≥ 0' }).default(0).meta({ description: 'The blank class, in [0, C).' }),
    zero_infinity: z.boolean().default(false).meta({ description: 'true: a sample with no alignment (an infinite loss) counts as 0, with a zero gradient.' }),
  }),
  checks: {
    checkParams: checkCtc,
    derive({ shape: [n], extra: { target_lengths: tl }, sentShapes = {} }) {
      // Where sample n's labels start: row n of padded targets, or after the samples before it.
      const t = sentShapes.targets;
      const padded = sentShapes.log_probs.length === 2 || t.length === 2;
      const starts = new Float64Array(n);
      for (let i = 1; i < n; i++) starts[i] = padded ? i * t[t.length - 1] : starts[i - 1] + tl[i - 1];
      return { target_starts: starts };
    },
    checkData: checkAlignments,
  },
  kernel({ predictions: lp, shape: [, T, C], extra, params: { blank, zero_infinity } }, lo, hi, { perSample, gradient, gradScale, reduction }) {
    const { input_lengths: il, target_lengths: tl, targets: labels, target_starts: starts } = extra;
    const scratch = ctcScratch(il, tl, lo, hi, C);
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const L = tl[i];
      const scale = reduction === 'mean' ? 1 / Math.max(L, 1) : 1;
      const sample = { frames: il[i], labels, start: starts[i], length: L, blank };
      // One pass for the value and the gradient: ctcSample writes the sample's frames t < T_n
      // when its loss is finite; the frames after them, or all of a sample without alignment
      // (zero_infinity), get zeros.
      let nll = ctcSample(lp, i * T * C, C, sample, scratch, gradient, gradScale * scale);
      if (gradient !== null) gradient.fill(0, i * T * C + (nll === Number.POSITIVE_INFINITY ? 0 : il[i] * C), (i + 1) * T * C);
      if (nll === Number.POSITIVE_INFINITY && zero_infinity) nll = 0;
      if (perSample !== null) perSample[i] = nll;
      sum += nll * scale;
    }
    return sum;
  },
  demo: {
    plot: {
      axis: 'probability',
      label: 'probability p of the label in each of 3 frames (target: the one label; classes: blank, label)',
      range: [0.02, 0.98],
      at: (p) => ({
        predictions: [0, 1, 2].map(() => [Math.log1p(-p), Math.log(p)]),
        targets: [1],
        dPredictions: [0, 1, 2].flatMap(() => [-1 / (1 - p), 1 / p]),
        extra: { input_lengths: 3, target_lengths: 1 },
      }),
    },
    // Five frames of random log-softmax rows; one or two labels per sample and four or five frames,
    // so that every target has an alignment. Targets padded or concatenated at random.
    sample: (r: Random) => {
      const [T, N, C] = [5, 3, 4];
      const logProbs = Array.from({ length: T * N }, () => logSoftmax(times(C, () => 1.5 * r.normal()))).flat();
      const lengths = times(N, () => 1 + r.int(2));
      const labels = lengths.map((L) => times(2, (k) => (k < L ? 1 + r.int(C - 1) : 1)));
      const padded = r.uniform() < 0.5;
      const targets = padded ? tensor(labels.flat(), [N, 2]) : tensor(labels.flatMap((row, i) => row.slice(0, lengths[i])), [lengths.reduce((a, b) => a + b, 0)]);
      return {
        inputs: { log_probs: tensor(logProbs, [T, N, C]), targets, input_lengths: tensor(times(N, () => 4 + r.int(2)), [N]), target_lengths: tensor(lengths, [N]) },
        params: { zero_infinity: r.uniform() < 0.5 },
      };
    },
    example: {
      inputs: {
        // Two sequences of 4 frames over the classes (blank, a, b): "ab" and "aa" (a repeat needs a blank between).
        log_probs: [
          [logSoftmax([0.2, 0.9, -0.4]), logSoftmax([0.5, 0.5, -0.3])],
          [logSoftmax([-0.2, 0.1, 0.6]), logSoftmax([1.1, -0.1, -0.5])],
          [logSoftmax([0.6, 0.0, 0.2]), logSoftmax([0.1, 0.8, -0.4])],
          [logSoftmax([0.3, -0.5, 0.8]), logSoftmax([0.4, 0.6, -0.2])],
        ],
        targets: [
          [1, 2],
          [1, 1],
        ],
        input_lengths: [4, 4],
        target_lengths: [2, 2],
      },
      params: { blank: 0 },
    },
  },
});
