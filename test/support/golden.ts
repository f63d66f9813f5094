// Reading the golden vectors (test/fixtures/golden/: README.md says where each file comes from).
import { readFileSync } from 'node:fs';
import { outputsGiven, type LossDefinition } from '../../src/losses/types.ts';

export interface GoldenTensor {
  shape: number[];
  /** Numbers; scikit-learn's class labels may be strings or booleans. */
  data: number[];
}

export interface GoldenCase {
  id: string;
  loss: string;
  params: Record<string, unknown>;
  reduction: string;
  dtype: 'float64' | 'float32';
  /** Every tensor input, by the loss's input names (format loss-golden/2). */
  inputs: Record<string, GoldenTensor>;
  regularization?: { l1: number; l2: number; parameters: GoldenTensor };
  /** The outputs the case asks for besides the value, where not per_sample and gradient (the
   *  scikit-learn cases: what scikit-learn computes). */
  include?: string[];
  /** Keras's reduction none pins per_sample alone: no value, no gradients. scikit-learn's
   *  multioutput="raw_values" value is a list; its metrics without per-sample terms have none. */
  expected?: { value?: number | number[]; per_sample?: GoldenTensor; gradients?: Record<string, GoldenTensor>; parameters_gradient?: GoldenTensor };
  expect_error?: number;
  why?: string;
  field?: string;
  index?: number;
}

type GoldenFile = {
  meta: { format: string; tolerance: Record<'float64' | 'float32', { rtol: number; atol: number }> };
  cases: GoldenCase[];
};
const read = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}`, import.meta.url), 'utf8')) as GoldenFile;
/** PyTorch's reference vectors (spec Parts 1 and 2: the contract's, and the project's own), and
 *  Keras's (Part 3). */
const pytorch = read('cases.json');
const project = read('project_cases.json');
const keras = read('keras_cases.json');
const sklearn = read('sklearn_cases.json');

export const goldenFormats = [pytorch.meta.format, project.meta.format, keras.meta.format, sklearn.meta.format];
export const goldenCases = [...pytorch.cases, ...project.cases, ...keras.cases, ...sklearn.cases];
export const valueCases = goldenCases.filter((c) => c.expected !== undefined);
export const errorCases = goldenCases.filter((c) => c.expect_error !== undefined);
export const tolerance = pytorch.meta.tolerance;

/** Flat row-major data → nested arrays of the given shape; rank 0 → the bare number. */
export function nest(data: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  if (shape.length === 1) return [...data];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(data.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

/** Nested arrays (or a bare number, rank 0) → flat data and shape. */
export function flatten(nested: unknown): { data: number[]; shape: number[] } {
  if (typeof nested === 'number') return { data: [nested], shape: [] };
  const shape: number[] = [];
  for (let v: unknown = nested; Array.isArray(v); v = v[0]) shape.push(v.length);
  return { data: (nested as unknown[]).flat(Infinity) as number[], shape };
}

/** The golden README's rule: |actual − expected| ≤ max(rtol·|expected|, atol), elementwise. */
export function closeTo(actual: number, expected: number, dtype: 'float64' | 'float32'): boolean {
  const { rtol, atol } = tolerance[dtype];
  return Math.abs(actual - expected) <= Math.max(rtol * Math.abs(expected), atol);
}

/** The first element that is off, as a message, or null. */
export function mismatch(actual: { data: number[]; shape: number[] }, expected: GoldenTensor, dtype: 'float64' | 'float32'): string | null {
  if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) return `shape ${JSON.stringify(actual.shape)} != ${JSON.stringify(expected.shape)}`;
  for (let i = 0; i < expected.data.length; i++) {
    if (!closeTo(actual.data[i], expected.data[i], dtype)) return `element ${i}: ${actual.data[i]} != ${expected.data[i]}`;
  }
  return null;
}

/** What a case asks for besides the value: its own `include`, else per_sample and gradient
 *  (reduction none answers per_sample alone: a gradient needs a scalar, a 400). */
export function includeOf(c: GoldenCase): string[] {
  return c.include ?? (c.reduction === 'none' ? ['per_sample'] : ['per_sample', 'gradient']);
}

/** per_sample and gradient where the loss gives them for these parameters (a median has no
 *  per-sample values, raw_values no gradient); both where the parameters are not valid. */
export function includeGiven(def: LossDefinition, params: unknown): string[] {
  const parsed = def.params.safeParse(params ?? {});
  const given = parsed.success ? outputsGiven(def, parsed.data) : { perSample: true, gradient: true };
  return [...(given.perSample ? ['per_sample'] : []), ...(given.gradient ? ['gradient'] : [])];
}

/** A tensor of scikit-learn's labels that are not all numbers, as the JSON decoder gives it
 *  (numbers, booleans as 0/1, NaN for strings; every element as sent in `labels`); else null. */
export function labelView(t: GoldenTensor): { data: Float64Array; shape: number[]; labels: (string | number | boolean)[] } | null {
  const raw = t.data as unknown[];
  if (raw.every((v) => typeof v === 'number')) return null;
  const labels = raw as (string | number | boolean)[];
  return { data: Float64Array.from(labels, (v) => (typeof v === 'string' ? Number.NaN : Number(v))), shape: t.shape, labels };
}

/** The value as a list (a raw_values vector, or one number). */
export const valueList = (v: number | number[]) => (Array.isArray(v) ? v : [v]);

/** The POST /loss body of a golden case: every input at the top level under its name. */
export function lossRequestBody(c: GoldenCase): Record<string, unknown> {
  return {
    loss: c.loss,
    ...Object.fromEntries(Object.entries(c.inputs).map(([name, t]) => [name, nest(t.data, t.shape)])),
    params: c.params,
    reduction: c.reduction,
    include: includeOf(c),
    ...(c.regularization
      ? { regularization: { l1: c.regularization.l1, l2: c.regularization.l2, parameters: nest(c.regularization.parameters.data, c.regularization.parameters.shape) } }
      : {}),
  };
}
