// What every sklearn.* loss declares alike, whether a regression metric (regressionMetric.ts) or a
// classification loss (classificationMetric.ts): its names and docs from scikit-learn's function
// name, the optional sample_weight input and its checks, and the refusals as plain data.
import { sum } from './numpy.ts';
import type { InputProblem, LossDefinition, SentTensors, TensorInput } from '../types.ts';

export const problem = (code: InputProblem['code'], field: string | undefined, detail: string, index?: number): InputProblem => ({ code, field, detail, index });

export const isProblem = (v: unknown): v is InputProblem => typeof v === 'object' && v !== null && 'code' in v && 'detail' in v;

/** scikit-learn's sample_weight: optional, [N]. */
export const sampleWeightInput: TensorInput = {
  name: 'sample_weight',
  differentiable: false,
  optional: true,
  shape: 'free',
  description: 'optional weights of the samples, [N] (null or absent: every sample weighs 1)',
  metadata: { datatype: 'FP64', shape: [-1], accepts: 'FP32 or FP64, optional: [N]' },
};

/** check_consistent_length of targets and predictions (their first dimensions). */
export function consistentLength(sent: SentTensors): InputProblem | null {
  const y = sent.targets!.shape[0] ?? 1;
  const p = sent.predictions!.shape[0] ?? 1;
  if (y === p) return null;
  return problem('shape_mismatch', 'targets', `targets has ${y} samples and predictions ${p} (scikit-learn: "Found input variables with inconsistent numbers of samples: [${y}, ${p}]")`);
}

/** The refusal of weights that add up to 0 (np.average's ZeroDivisionError). */
export const weightsSumToZero = (): InputProblem =>
  problem('undefined_mean', 'sample_weight', "sample_weight adds up to 0: no weighted mean exists (np.average: \"Weights sum to zero, can't be normalized\")");

/** The sample weights as sent: [N] (check_consistent_length), or null; with `nonZeroSum`, a
 *  sum of 0 refused here (the regression metrics all divide by it). */
export function sampleWeights(sent: SentTensors, n: number, nonZeroSum = false): Float64Array | null | InputProblem {
  const w = sent.sample_weight;
  if (w === undefined) return null;
  if (w.shape.length !== 1) return problem('shape_mismatch', 'sample_weight', `sample_weight has shape [${w.shape.join(', ')}]; it must be [N], one weight per sample (scikit-learn: "Sample weights must be 1D array")`);
  if (w.shape[0] !== n) return problem('shape_mismatch', 'sample_weight', `sample_weight has ${w.shape[0]} weights for ${n} samples (scikit-learn: "Found input variables with inconsistent numbers of samples")`);
  const weights = Float64Array.from(w.data);
  if (nonZeroSum && sum(weights) === 0) return weightsSumToZero();
  return weights;
}

/** Name, family, library names and docs of sklearn.<function>. */
export function sklearnIdentity(
  fn: string,
  docs: { summary: string; formula: string; reductionRule: string; predictions: string; targets: string },
): Pick<LossDefinition, 'name' | 'aliases' | 'family' | 'libraryNames' | 'docs'> {
  return {
    name: `sklearn.${fn}`,
    aliases: [],
    family: 'sklearn',
    libraryNames: { sklearn: { function: fn } },
    docs: { ...docs, reference: `sklearn.metrics.${fn} (scikit-learn 1.2.1)` },
  };
}
