import { z } from 'zod';
import { categoricalSimd, rowsFit, crossEntropySimd } from '../simd/simd.ts';
import { twoClassMargin } from '../plotSlices.ts';
import { defineLoss, type KernelInput, type KernelOutput } from '../types.ts';
import { classIndices, perClassLength, targetsInUnitInterval } from '../checks.ts';
import { labelSmoothing, weightVector } from '../params.ts';
import { rows, classWeights } from '../samples.ts';

type Params = { weight?: number[]; ignore_index: number; label_smoothing: number };

const DEFAULT_IGNORE_INDEX = -100;

// Row r: logits x_c, C classes, m = max_c x_c. With e_c = e^{x_c - m} (every exponent ≤ 0, the
// largest term exactly 1): lse = log Σ e^{x_c} = m + log Σ_c e_c, and -log p_c = lse - x_c is finite
// for logits of ±1e4. p_c = e_c / Σ e, so one exp per element serves value and gradient;
// d(-log p_k)/dx_c = p_c - [c = k].
//
// Class-index target y, smoothing ε, class weights w (W = Σ_c w_c):
//   ℓ = (1 - ε)·w_y·(lse - x_y) + (ε/C)·Σ_c w_c (lse - x_c)
//   dℓ/dx_c = (1 - ε)·w_y·(p_c - [c = y]) + (ε/C)·(W·p_c - w_c)
//   A row whose target is ignore_index gets ℓ = 0 and a zero gradient row.
// Probability targets t (smoothed: t'_c = (1 - ε)·t_c + ε/C), S = Σ_c w_c t'_c:
//   ℓ = Σ_c w_c t'_c (lse - x_c),   dℓ/dx_c = S·p_c - w_c t'_c
/** The scalar kernel: every form; the SIMD one's reference. */
function scalar({ predictions: x, targets: t, cols: C, targetsAreIndices, params }: KernelInput<Params>, lo: number, hi: number, { perSample, gradient, gradScale }: KernelOutput): number {
  const { weight, ignore_index, label_smoothing: eps } = params;
  const w = (c: number) => (weight === undefined ? 1 : weight[c]);
  let W = C;
  if (weight !== undefined) {
    W = 0;
    for (let c = 0; c < C; c++) W += weight[c];
  }
  const plain = weight === undefined && eps === 0;
  // e_c = e^{x_c - m} of the current row, kept in float64 so that p_c = e_c / Σe costs no second exp.
  const e = new Float64Array(C);
  let sum = 0;
  for (let r = lo; r < hi; r++) {
    const off = r * C;
    let v = 0;
    if (targetsAreIndices && t[r] === ignore_index) {
      if (gradient !== null) gradient.fill(0, off, off + C);
      if (perSample !== null) perSample[r] = 0;
      continue;
    }
    let m = x[off];
    for (let c = 1; c < C; c++) if (x[off + c] > m) m = x[off + c];
    let s = 0;
    for (let c = 0; c < C; c++) {
      const ec = Math.exp(x[off + c] - m);
      e[c] = ec;
      s += ec;
    }
    const lse = m + Math.log(s);
    const inv = 1 / s;
    if (targetsAreIndices) {
      const y = t[r];
      if (plain) {
        v = lse - x[off + y];
        if (gradient !== null) {
          // p_c − [c = y], each element written once (a float32 output rounds once).
          for (let c = 0; c < C; c++) gradient[off + c] = c === y ? e[c] * inv * gradScale - gradScale : e[c] * inv * gradScale;
        }
      } else {
        const wy = w(y);
        let smooth = 0;
        if (eps > 0) for (let c = 0; c < C; c++) smooth += w(c) * (lse - x[off + c]);
        v = (1 - eps) * wy * (lse - x[off + y]) + (eps / C) * smooth;
        if (gradient !== null) {
          for (let c = 0; c < C; c++) {
            const p = e[c] * inv;
            gradient[off + c] = ((1 - eps) * wy * (p - (c === y ? 1 : 0)) + (eps / C) * (W * p - w(c))) * gradScale;
          }
        }
      }
    } else {
      let S = 0;
      for (let c = 0; c < C; c++) {
        const wt = w(c) * ((1 - eps) * t[off + c] + eps / C);
        S += wt;
        v += wt * (lse - x[off + c]);
      }
      if (gradient !== null) {
        for (let c = 0; c < C; c++) gradient[off + c] = (S * e[c] * inv - w(c) * ((1 - eps) * t[off + c] + eps / C)) * gradScale;
      }
    }
    sum += v;
    if (perSample !== null) perSample[r] = v;
  }
  return sum;
}

export const crossEntropy = defineLoss<Params>({
  name: 'cross_entropy',
  aliases: ['categorical_cross_entropy_with_logits', 'softmax_cross_entropy'],
  family: 'multiclass',
  libraryNames: { torch: { functional: 'cross_entropy', module: 'CrossEntropyLoss' } },
  docs: {
    summary: 'Softmax cross-entropy on logits, with class-index or probability targets.',
    formula: 'ℓ = −Σ_c w_c·t_c·log softmax(x)_c',
    reductionRule:
      'With class-index targets, mean divides Σℓ by Σ w_{y_i} over the samples that are not ignored (by their count without weight); with probability targets, by N.',
    reference: 'torch.nn.functional.cross_entropy',
    predictions: 'logits [N, C]',
    targets: 'class indices [N] (integers in [0, C), or ignore_index), or probabilities [N, C] in [0, 1]',
  },
  tensors: {
    layout: 'rows',
    targetLayout: 'indices-or-same',
    shapes: { unbatched: true, spatial: true },
  },
  params: z.strictObject({
    weight: weightVector('Class weights [C], of any sign as in PyTorch.'),
    ignore_index: z.number().int().default(DEFAULT_IGNORE_INDEX).meta({ description: 'A class-index target equal to this is ignored (class-index targets only).' }),
    label_smoothing: labelSmoothing,
  }),
  checks: {
    checkParams({ params, targetsAreIndices, cols }) {
      // As PyTorch: ignore_index means nothing for probability targets, so only its default passes.
      if (!targetsAreIndices && params.ignore_index !== DEFAULT_IGNORE_INDEX) {
        return { code: 'invalid_params', field: 'params.ignore_index', detail: 'params.ignore_index applies to class-index targets only; these targets are probabilities [N, C]' };
      }
      return perClassLength('weight', params.weight, cols);
    },
    checkData: (input, lo, hi) => (input.targetsAreIndices ? classIndices(input, lo, hi, input.params.ignore_index) : targetsInUnitInterval(input, lo, hi)),
    meanDenominator({ targets, targetsAreIndices, params: { weight, ignore_index } }: KernelInput<Params>, lo, hi) {
      if (!targetsAreIndices) return hi - lo;
      let d = 0;
      for (let r = lo; r < hi; r++) if (targets[r] !== ignore_index) d += weight === undefined ? 1 : weight[targets[r]];
      return d;
    },
  },
  // The same formulas in WebAssembly SIMD (simd/kernels.c): class indices without smoothing
  // (ε = 0: ℓ = w_y·(lse − x_y), dℓ/dx = w_y·(p − [c = y]), the class weight as the row's), and
  // without class weights probability targets, which are categorical cross-entropy on logits
  // (t′ the same smoothing, w_c = 1).
  kernel(input, lo, hi, out) {
    const { predictions: x, targets: t, cols: C, targetsAreIndices, params } = input;
    if (rowsFit(C)) {
      if (targetsAreIndices && params.label_smoothing === 0) return crossEntropySimd(x, t, C, lo, hi, params.ignore_index, out, { classes: params.weight });
      if (!targetsAreIndices && params.weight === undefined) return categoricalSimd(x, t, C, lo, hi, params.label_smoothing, true, out);
    }
    return scalar(input, lo, hi, out);
  },
  scalarKernel: scalar,
  demo: {
    plot: twoClassMargin('index'),
    sample: (r) => rows(r, () => r.normal() * 2, { weight: classWeights(r), label_smoothing: 0.1 }),
    example: { predictions: [[2.0, 0.5, -1.0], [0.1, 1.5, 0.3]], targets: [0, 1] },
  },
  check: {
    related: [{ loss: 'keras.sparse_categorical_crossentropy', params: { from_logits: true } }, { loss: 'keras.categorical_crossentropy', params: { from_logits: true } }, { loss: 'sparse_categorical_crossentropy', params: { from_logits: true } }, { loss: 'nll' }],
    hypotheses: ['unweighted_denominator', 'softmax_axis', 'probabilities_as_logits', 'label_smoothing_convention', 'mean_over_elements', 'log_base'],
  },
});
