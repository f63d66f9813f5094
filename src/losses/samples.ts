// Random valid requests, as loss modules declare them (LossDefinition.sample): kept away from the
// kinks where a derivative jumps, so that finite differences are meaningful. The gradient test,
// the fuzz and the inline-vs-pool test draw from them; adding a loss adds its sampler with it.

/** A seeded random source (load/support/random.ts gives one). */
export interface Random {
  uniform(lo?: number, hi?: number): number;
  normal(): number;
  int(n: number): number;
  sign(): number;
}

export interface SampleTensor {
  data: number[];
  shape: number[];
}

/** A request's tensors by input name, and its parameters. */
export interface Sample {
  inputs: Record<string, SampleTensor>;
  params: Record<string, unknown>;
}

/** Rows and columns of the samples. */
export const N = 6;
export const C = 4;

export const times = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** A residual of magnitude in [lo, hi] with a random sign. */
export const away = (r: Random, lo: number, hi: number) => r.sign() * r.uniform(lo, hi);

export const tensor = (data: number[], shape: number[]): SampleTensor => ({ data, shape });

/** Predictions [N, C] and targets of the same shape, each derived from its prediction. */
export function elementwise(pred: () => number, target: (x: number) => number, params: Record<string, unknown> = {}): Sample {
  const predictions = times(N * C, pred);
  return { inputs: { predictions: tensor(predictions, [N, C]), targets: tensor(predictions.map(target), [N, C]) }, params };
}

/** Scores [N, C] and class indices [N]. */
export function rows(r: Random, pred: () => number, params: Record<string, unknown> = {}): Sample {
  return { inputs: { predictions: tensor(times(N * C, pred), [N, C]), targets: tensor(times(N, () => r.int(C)), [N]) }, params };
}

/** N rows of C probabilities, each at least ~0.05/C·… away from 0, adding up to 1. */
export function distributionRows(r: Random): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const row = times(C, () => r.uniform(0.05, 1));
    const s = row.reduce((a, b) => a + b, 0);
    out.push(...row.map((v) => v / s));
  }
  return out;
}

/** Class weights in [lo, hi). */
export const classWeights = (r: Random, lo = 0.5, hi = 2) => times(C, () => r.uniform(lo, hi));
