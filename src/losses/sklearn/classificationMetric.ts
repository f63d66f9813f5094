// What scikit-learn's classification losses share (sklearn/metrics/_classification.py, 1.2.1), so
// that each module states only how it reads its labels and what it computes:
//  - inputs: targets (y_true) as class labels (numbers, booleans or strings: labels.ts), the
//    predictions under scikit-learn's own name (y_pred, y_prob, pred_decision), an optional
//    sample_weight [N];
//  - check_consistent_length: the same number of samples in each;
//  - _weighted_sum(scores, sample_weight, normalize): np.average with normalize, else the
//    (weighted) sum, so that normalize=false gives a count (an integer without weights).
// The kernel is coupled (one block): a metric's refusals depend on every label (the classes).
// The arrangement hands the kernel numbers only: class indices, indicators, ±1 or label codes.
import type { z } from 'zod';
import { sum } from './regressionMetric.ts';
import type { Arrangement, InputProblem, KernelInput, KernelOutput, LossCheck, LossDefinition, LossDemo, SentTensors, TensorInput } from '../types.ts';

export const problem = (code: InputProblem['code'], field: string | undefined, detail: string, index?: number): InputProblem => ({ code, field, detail, index });

export interface ClassificationSpec<P> {
  /** scikit-learn's function name: the loss is sklearn.<function>. */
  function: string;
  summary: string;
  formula: string;
  params: z.ZodType<P>;
  reductionRule: string;
  /** scikit-learn's name for the predictions (y_pred, y_prob, pred_decision). */
  predictionsName: string;
  predictionsDescription: string;
  targetsDescription: string;
  /** The predictions are labels too (zero_one_loss, hamming_loss). */
  predictionLabels?: boolean;
  /** Why the metric has no gradient (piecewise constant), or undefined where it has one. */
  noGradient?: string;
  /** The request's tensors → the kernel's view: [N, columns] predictions as the kernel reads them,
   *  the targets it reads, arrays in `extra`; the gradient has the predictions' shape as sent. */
  arrange(sent: SentTensors, params: P, weights: Float64Array | null): Omit<Arrangement, 'shapes' | 'transpose' | 'denominator' | 'weighting' | 'extra'> & { extra?: Record<string, Float64Array> } | InputProblem;
  /** Per-sample terms into `terms` (N), d value / d predictions into `gradient` when asked;
   *  returns the value (or refuses). */
  compute(input: KernelInput<P>, weights: Float64Array | null, terms: Float64Array, gradient: Float64Array | null): number | InputProblem;
  demo: LossDemo;
  check?: LossCheck;
}

/** The sample weights: [N] (check_consistent_length), or null. */
export function sampleWeights(sent: SentTensors, n: number): Float64Array | null | InputProblem {
  const w = sent.sample_weight;
  if (w === undefined) return null;
  if (w.shape.length !== 1) return problem('shape_mismatch', 'sample_weight', `sample_weight has shape [${w.shape.join(', ')}]; it must be [N], one weight per sample (scikit-learn: "Sample weights must be 1D array")`);
  if (w.shape[0] !== n) return problem('shape_mismatch', 'sample_weight', `sample_weight has ${w.shape[0]} weights for ${n} samples (scikit-learn: "Found input variables with inconsistent numbers of samples")`);
  return Float64Array.from(w.data);
}

/** check_consistent_length of targets and predictions (their first dimensions). */
export function consistentLength(sent: SentTensors, predictions: string): InputProblem | null {
  const y = sent.targets!.shape[0] ?? 1;
  const p = sent[predictions]!.shape[0] ?? 1;
  if (y === p) return null;
  return problem('shape_mismatch', 'targets', `targets has ${y} samples and ${predictions} ${p} (scikit-learn: "Found input variables with inconsistent numbers of samples: [${y}, ${p}]")`);
}

/** np.average(scores, weights=w): Σ w·s / Σ w (the plain mean without weights); a weight sum of
 *  0 is numpy's ZeroDivisionError. */
export function weightedMean(scores: Float64Array, w: Float64Array | null): number | InputProblem {
  if (w === null) return sum(scores) / scores.length;
  const total = sum(w);
  if (total === 0) return problem('undefined_mean', 'sample_weight', "sample_weight adds up to 0: no weighted mean exists (np.average: \"Weights sum to zero, can't be normalized\")");
  return dot(scores, w) / total;
}

/** Σ a·b, pairwise. */
export function dot(a: Float64Array, b: Float64Array): number {
  const ab = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) ab[i] = a[i] * b[i];
  return sum(ab);
}

/** _weighted_sum: the (weighted) mean with normalize, else the (weighted) sum. */
export function weightedSum(scores: Float64Array, w: Float64Array | null, normalize: boolean): number | InputProblem {
  if (normalize) return weightedMean(scores, w);
  return w === null ? sum(scores) : dot(scores, w);
}

/** d weightedSum / d score_i: w_i / Σ w (mean) or w_i (sum). */
export function scoreWeights(n: number, w: Float64Array | null, normalize: boolean): Float64Array {
  const out = w === null ? new Float64Array(n).fill(1) : Float64Array.from(w);
  if (normalize) {
    const total = w === null ? n : sum(w);
    for (let i = 0; i < n; i++) out[i] /= total;
  }
  return out;
}

const isProblem = (v: unknown): v is InputProblem => typeof v === 'object' && v !== null && 'code' in v && 'detail' in v;

export function classificationMetric<P>(spec: ClassificationSpec<P>): LossDefinition<P> {
  const name = `sklearn.${spec.function}`;
  const inputs: TensorInput[] = [
    {
      name: 'predictions',
      alsoNamed: spec.predictionsName,
      differentiable: spec.noGradient === undefined,
      description: spec.predictionsDescription,
      ...(spec.predictionLabels ? { labels: true } : {}),
      metadata: { datatype: spec.predictionLabels ? 'BYTES' : 'FP64', shape: [-1], accepts: spec.predictionLabels ? 'BYTES, BOOL or numbers: [N] labels or [N, L] indicators' : 'FP32 or FP64' },
    },
    {
      name: 'targets',
      alsoNamed: 'y_true',
      differentiable: false,
      labels: true,
      description: spec.targetsDescription,
      metadata: { datatype: 'BYTES', shape: [-1], accepts: 'BYTES (strings), BOOL or numbers' },
    },
    {
      name: 'sample_weight',
      differentiable: false,
      optional: true,
      shape: 'free',
      description: 'optional weights of the samples, [N] (null or absent: every sample weighs 1)',
      metadata: { datatype: 'FP64', shape: [-1], accepts: 'FP32 or FP64, optional: [N]' },
    },
  ];
  return {
    name,
    aliases: [],
    family: 'sklearn',
    libraryNames: { sklearn: { function: spec.function } },
    docs: {
      summary: spec.summary,
      formula: spec.formula,
      reductionRule: spec.reductionRule,
      reference: `sklearn.metrics.${spec.function} (scikit-learn 1.2.1)`,
      predictions: spec.predictionsDescription,
      targets: spec.targetsDescription,
    },
    tensors: {
      inputs,
      layout: 'rows',
      targetLayout: 'indices',
      arrange: (sent, params) => {
        const length = consistentLength(sent, 'predictions');
        if (length !== null) return length;
        const n = sent.targets!.shape[0] ?? 1;
        const w = sampleWeights(sent, n);
        if (isProblem(w)) return w;
        const a = spec.arrange(sent, params, w);
        if (isProblem(a)) return a;
        return {
          ...a,
          extra: { ...a.extra, ...(w === null ? {} : { sample_weight: w }) },
          shapes: { gradient: sent.predictions!.shape, perSample: [a.shape[0]] },
          transpose: null,
          denominator: 1,
          weighting: null,
        };
      },
      coupledRows: true,
    },
    reductions: ['mean'],
    params: spec.params,
    checks: {
      refuseOutputs(_params, want) {
        if (want.gradient && spec.noGradient !== undefined) return problem('invalid_body', 'include', `${name} has no gradient: ${spec.noGradient}`);
        return null;
      },
    },
    kernel: (input, _lo, _hi, out: KernelOutput) => {
      const n = input.rows;
      const w = (input.extra.sample_weight as Float64Array | undefined) ?? null;
      const terms = out.perSample instanceof Float64Array ? out.perSample : new Float64Array(n);
      const gradient = out.gradient === null ? null : new Float64Array(out.gradient.length);
      const value = spec.compute(input, w, terms, gradient);
      if (isProblem(value)) {
        out.problem = value;
        return 0;
      }
      if (out.perSample !== null && out.perSample !== terms) out.perSample.set(terms);
      if (gradient !== null) out.gradient!.set(gradient);
      return value;
    },
    demo: spec.demo,
    ...(spec.check === undefined ? {} : { check: spec.check }),
  };
}
