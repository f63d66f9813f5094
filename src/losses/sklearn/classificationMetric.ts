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
import { dot, sum } from './numpy.ts';
import { arrangeLabelPairs } from './labels.ts';
import { consistentLength, isProblem, problem, sampleWeightInput, sampleWeights, sklearnIdentity, weightsSumToZero } from './sklearnFunction.ts';
import type { Arrangement, InputProblem, KernelInput, KernelOutput, LossCheck, LossDefinition, LossDemo, SentTensors, TensorInput } from '../types.ts';


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

/** np.average(scores, weights=w): Σ w·s / Σ w (the plain mean without weights); a weight sum of
 *  0 is numpy's ZeroDivisionError. */
export function weightedMean(scores: Float64Array, w: Float64Array | null): number | InputProblem {
  if (w === null) return sum(scores) / scores.length;
  const total = sum(w);
  if (total === 0) return weightsSumToZero();
  return dot(scores, w) / total;
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


/** The declaration of a loss of two label tensors (zero_one_loss, hamming_loss): y_pred and
 *  y_true as labels, no gradient. */
export const LABEL_PAIRS = {
  predictionsName: 'y_pred',
  predictionsDescription: "scikit-learn's y_pred: predicted labels [N] (numbers, booleans or strings) or a multilabel indicator [N, L]",
  targetsDescription: "scikit-learn's y_true: true labels [N] (numbers, booleans or strings) or a multilabel indicator [N, L]",
  predictionLabels: true,
  noGradient: 'it is piecewise constant in the predictions (labels): its derivative is 0 wherever it exists',
  arrange: arrangeLabelPairs,
} as const;

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
    sampleWeightInput,
  ];
  return {
    ...sklearnIdentity(spec.function, {
      summary: spec.summary,
      formula: spec.formula,
      reductionRule: spec.reductionRule,
      predictions: spec.predictionsDescription,
      targets: spec.targetsDescription,
    }),
    tensors: {
      inputs,
      layout: 'rows',
      targetLayout: 'indices',
      arrange: (sent, params) => {
        const length = consistentLength(sent);
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
