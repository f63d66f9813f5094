// What scikit-learn's regression metrics share (sklearn/metrics/_regression.py, 1.2.1), so that
// each metric's module states only its per-output score and that score's gradient:
//  - _check_reg_targets: y_true and y_pred 1-D [N] (taken as [N, 1]) or 2-D [N, outputs], the
//    same N (check_consistent_length) and the same number of outputs; at least one sample;
//  - sample_weight: optional, [N] (a weight per sample, of any sign: np.average allows it; a sum
//    of 0 is np.average's ZeroDivisionError);
//  - multioutput: "raw_values" (the value is the vector of the outputs' scores),
//    "uniform_average", "variance_weighted" (r2 and explained variance), or an array of output
//    weights (only with more than one output): the value is np.average of the outputs' scores
//    with those weights, so its gradient is each output's gradient times w_o / Σ w.
// The kernel is coupled (one block: a score needs the whole column) and runs where every kernel
// runs. Its sums are numpy's pairwise sums (math below), so that values agree with scikit-learn's
// to the last bits or nearly: the golden cases hold them to 1e-12 relative.
import { z } from 'zod';
import { average, sum } from './numpy.ts';
import { consistentLength, isProblem, problem, sampleWeightInput, sampleWeights, sklearnIdentity } from './sklearnFunction.ts';
import type { Arrangement, InputProblem, KernelInput, KernelOutput, LossCheck, LossDefinition, LossDemo, SentTensors, TensorInput } from '../types.ts';

export type MultioutputName = 'raw_values' | 'uniform_average' | 'variance_weighted';
export type Multioutput = MultioutputName | number[];

/** scikit-learn's multioutput parameter with the names a metric accepts. */
export function multioutputParam(names: readonly MultioutputName[]) {
  return z
    .union([z.enum(names as [MultioutputName, ...MultioutputName[]]), z.array(z.number()).min(1)])
    .default('uniform_average')
    .meta({
      description: `How the outputs' scores of a 2-D request are combined: ${names.map((n) => `"${n}"`).join(', ')}, or an array of one weight per output (np.average's weights). raw_values answers a value per output.`,
    });
}

/** The inputs of every regression metric: scikit-learn's names accepted besides the service's. */
export const regressionInputs: readonly TensorInput[] = [
  {
    name: 'predictions',
    alsoNamed: 'y_pred',
    differentiable: true,
    description: "scikit-learn's y_pred: the estimates, [N] or [N, outputs]",
    metadata: { datatype: 'FP64', shape: [-1], accepts: 'FP32 or FP64; [N] or [N, outputs]' },
  },
  {
    name: 'targets',
    alsoNamed: 'y_true',
    differentiable: false,
    description: "scikit-learn's y_true: the true values, the shape of predictions ([N] and [N, 1] are one output either way)",
    metadata: { datatype: 'FP64', shape: [-1], accepts: 'FP32, FP64, INT32 or INT64; [N] or [N, outputs]' },
  },
  sampleWeightInput,
];

export interface RegressionRules {
  /** Only one output (max_error, the Tweedie deviances): scikit-learn's "Multioutput not supported". */
  singleOutput?: boolean;
  /** The data's domain, checked whole (msle's non-negative values, Tweedie's by power). */
  domain?(y: ArrayLike<number>, p: ArrayLike<number>): InputProblem | null;
}

/** _check_reg_targets and the sample weights: the kernel's view [N, outputs] as sent (row-major),
 *  the weights (or none) in `extra.sample_weight`, the value's shape for raw_values. */
export function arrangeRegression(name: string, sent: SentTensors, multioutput: Multioutput, rules: RegressionRules = {}): Arrangement | InputProblem {
  const p = sent.predictions!;
  const y = sent.targets!;
  for (const [field, t] of [['targets', y], ['predictions', p]] as const) {
    if (t.shape.length === 0 || t.shape.length > 2) {
      return problem('shape_mismatch', field, `${field} has shape [${t.shape.join(', ')}]; ${name} takes [N] or [N, outputs] (scikit-learn: "Expected 1D or 2D array")`);
    }
  }
  const length = consistentLength(sent);
  if (length !== null) return length;
  const n = p.shape[0];
  if (n === 0) return problem('shape_mismatch', 'predictions', `predictions is empty; ${name} needs at least one sample (scikit-learn: "Found array with 0 sample(s)")`);
  const outputs = p.shape[1] ?? 1;
  const yOutputs = y.shape[1] ?? 1;
  if (yOutputs !== outputs) return problem('shape_mismatch', 'targets', `targets has ${yOutputs} outputs and predictions ${outputs} (scikit-learn: "y_true and y_pred have different number of output (${yOutputs}!=${outputs})")`);
  if (rules.singleOutput && outputs > 1) return problem('shape_mismatch', 'predictions', `${name} takes one output; predictions has ${outputs} (scikit-learn: "Multioutput not supported")`);
  if (Array.isArray(multioutput)) {
    if (outputs === 1) return problem('invalid_params', 'params.multioutput', 'params.multioutput: custom weights are useful only with more than one output (scikit-learn refuses them for one)');
    if (multioutput.length !== outputs) return problem('invalid_params', 'params.multioutput', `params.multioutput: ${multioutput.length} weights for ${outputs} outputs; there must be one per output`);
    if (sum(Float64Array.from(multioutput)) === 0) return problem('invalid_params', 'params.multioutput', "params.multioutput: the weights add up to 0 (np.average: \"Weights sum to zero, can't be normalized\")");
  }
  const w = sampleWeights(sent, n, true);
  if (isProblem(w)) return w;
  const domain = rules.domain?.(y.data, p.data) ?? null;
  if (domain !== null) return domain;
  return {
    shape: [n, outputs],
    predictions: p.data as Arrangement['predictions'],
    targets: Float64Array.from(y.data),
    targetsAreIndices: false,
    extra: w === null ? {} : { sample_weight: w },
    shapes: { gradient: p.shape, perSample: p.shape, ...(multioutput === 'raw_values' ? { value: [outputs] } : {}) },
    transpose: null,
    denominator: 1,
    weighting: null,
  };
}

/** The first element of `data` that breaks `ok`, as a problem of `field`; or null. */
export function firstOutside(data: ArrayLike<number>, ok: (v: number) => boolean, code: InputProblem['code'], field: string, detail: (v: number, i: number) => string): InputProblem | null {
  for (let i = 0; i < data.length; i++) if (!ok(data[i])) return problem(code, field, detail(data[i], i), i);
  return null;
}

// ---- the data by output --------------------------------------------------------------------

/** The request as columns: each output's targets and predictions, and the sample weights. */
export interface Columns {
  n: number;
  outputs: number;
  y: Float64Array[];
  p: Float64Array[];
  /** null: unweighted (np.average's weights=None). */
  w: Float64Array | null;
}

export function columnsOf(input: KernelInput<unknown>): Columns {
  const [n, outputs] = input.shape;
  const column = (data: ArrayLike<number>, o: number) => Float64Array.from({ length: n }, (_, i) => data[i * outputs + o]);
  return {
    n,
    outputs,
    y: Array.from({ length: outputs }, (_, o) => column(input.targets, o)),
    p: Array.from({ length: outputs }, (_, o) => column(input.predictions, o)),
    w: input.extra.sample_weight === undefined ? null : Float64Array.from(input.extra.sample_weight),
  };
}

/** What a metric computes for each output: its score; with `terms`, the per-sample terms whose
 *  (weighted) mean the score is; with `gradient`, d score / d prediction for each sample. */
export interface OutputScores {
  scores: Float64Array;
  terms?: Float64Array[];
  gradients?: Float64Array[];
  /** The weights of "variance_weighted" (r2's denominators), or null for a uniform average. */
  varianceWeights?: Float64Array | null;
  /** The request has no answer (a score scikit-learn returns as NaN). */
  problem?: InputProblem;
}

export interface RegressionSpec<P> {
  /** scikit-learn's function name: the loss is sklearn.<function>. */
  function: string;
  summary: string;
  formula: string;
  params: z.ZodType<P>;
  /** How the value is made of its parts, in words (the catalog's reduction rule). */
  reductionRule: string;
  /** Per-sample terms: the reason there are none (a median, a maximum, a ratio), or null. */
  noTerms: string | null;
  /** false: the function takes no sample_weight (max_error). */
  sampleWeight?: false;
  rules?: (params: P) => RegressionRules;
  outputs(columns: Columns, params: P, want: { terms: boolean; gradient: boolean }): OutputScores;
  demo: LossDemo;
  check?: LossCheck;
}

const multioutputOf = (params: unknown): Multioutput => (params as { multioutput?: Multioutput }).multioutput ?? 'uniform_average';

/** The coupled kernel: the outputs' scores combined as multioutput says. */
function regressionKernel<P>(spec: RegressionSpec<P>) {
  return (input: KernelInput<P>, _lo: number, _hi: number, out: KernelOutput): number => {
    const cols = columnsOf(input as KernelInput<unknown>);
    const r = spec.outputs(cols, input.params, { terms: out.perSample !== null, gradient: out.gradient !== null });
    if (r.problem) {
      out.problem = r.problem;
      return 0;
    }
    const { n, outputs } = cols;
    if (out.perSample !== null) for (let o = 0; o < outputs; o++) for (let i = 0; i < n; i++) out.perSample[i * outputs + o] = r.terms![o][i];
    const multioutput = multioutputOf(input.params);
    if (multioutput === 'raw_values') {
      out.values = r.scores;
      return 0;
    }
    // np.average(scores, weights=a): a uniform average where a is None.
    const a = Array.isArray(multioutput) ? Float64Array.from(multioutput) : multioutput === 'variance_weighted' ? (r.varianceWeights ?? null) : null;
    const value = average(r.scores, a);
    if (out.gradient !== null) {
      const total = a === null ? outputs : sum(a);
      for (let o = 0; o < outputs; o++) {
        const share = (a === null ? 1 : a[o]) / total;
        for (let i = 0; i < n; i++) out.gradient[i * outputs + o] = share * r.gradients![o][i];
      }
    }
    return value;
  };
}

export function regressionMetric<P>(spec: RegressionSpec<P>): LossDefinition<P> {
  const name = `sklearn.${spec.function}`;
  return {
    ...sklearnIdentity(spec.function, {
      summary: spec.summary,
      formula: spec.formula,
      reductionRule: spec.reductionRule,
      predictions: regressionInputs[0].description,
      targets: regressionInputs[1].description,
    }),
    tensors: {
      inputs: spec.sampleWeight === false ? regressionInputs.slice(0, 2) : regressionInputs,
      layout: 'elementwise',
      targetLayout: 'same',
      arrange: (sent, params) => arrangeRegression(name, sent, multioutputOf(params), spec.rules?.(params)),
      coupledRows: true,
    },
    reductions: ['mean'],
    params: spec.params,
    checks: {
      refuseOutputs(params, want) {
        if (want.perSample && spec.noTerms !== null) return problem('invalid_body', 'include', `${name} has no per-sample values: ${spec.noTerms}`);
        if (want.gradient && multioutputOf(params) === 'raw_values') {
          return problem('invalid_body', 'include', `${name} with multioutput "raw_values" answers a value per output, and a gradient needs one value: ask for it with "uniform_average" or output weights`);
        }
        return null;
      },
    },
    kernel: regressionKernel(spec),
    demo: spec.demo,
    ...(spec.check === undefined ? {} : { check: spec.check }),
  };
}

/** The reduction rule of the metrics that are a (weighted) mean of per-sample terms. */
export const MEAN_OF_TERMS =
  "scikit-learn's: each output's score is the mean of its per-sample terms (weighted by sample_weight: Σ w·ℓ / Σ w), then the outputs' scores are combined as multioutput says (uniform_average: their mean).";

/** A metric that is the (weighted) mean of a per-sample term ℓ(y, ŷ), optionally passed through
 *  `finish` (the RMSE's square root): d score / d ŷ_i = w_i / Σ w · ℓ'(y_i, ŷ_i) · finish'(mean). */
export function meanOfTerms<P>(
  term: (y: number, p: number, params: P) => number,
  dTerm: (y: number, p: number, params: P) => number,
  finish?: (params: P) => { score(mean: number): number; slope(mean: number): number } | null,
): RegressionSpec<P>['outputs'] {
  return ({ n, outputs, y, p, w }, params, want) => {
    const scores = new Float64Array(outputs);
    const terms: Float64Array[] = [];
    const gradients: Float64Array[] = [];
    const totalWeight = w === null ? n : sum(w);
    const f = finish?.(params) ?? null;
    for (let o = 0; o < outputs; o++) {
      const t = new Float64Array(n);
      for (let i = 0; i < n; i++) t[i] = term(y[o][i], p[o][i], params);
      const mean = average(t, w);
      scores[o] = f === null ? mean : f.score(mean);
      terms.push(t);
      if (want.gradient) {
        const slope = f === null ? 1 : f.slope(mean);
        gradients.push(Float64Array.from({ length: n }, (_, i) => ((w === null ? 1 : w[i]) / totalWeight) * dTerm(y[o][i], p[o][i], params) * slope));
      }
    }
    return { scores, terms, gradients };
  };
}
