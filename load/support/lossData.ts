// Valid inputs of about `elements` elements of the first input for any loss of the catalog, for
// the kernel table: the classic losses from the distributions below (float32-exact values, so the
// FP64 and FP32 columns compute on the same numbers), the others from their own declared sample
// (LossDefinition.sample) repeated along the batch axis.
import type { LossDefinition } from '../../src/losses/types.ts';
import { kernelSlots, tensorInputs } from '../../src/losses/types.ts';
import { rng } from './random.ts';

export interface BenchTensor {
  data: Float64Array;
  shape: number[];
  /** Class indices (written as int64 for PyTorch). */
  integer: boolean;
}

export interface BenchData {
  inputs: Record<string, BenchTensor>;
  params: Record<string, unknown>;
  /** Elements of the first input: what ns per element divides by. */
  elements: number;
}

const C = 10;
const f32 = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => Math.fround(f(i)));

function classic(def: LossDefinition, elements: number, r: ReturnType<typeof rng>): BenchData | null {
  const tensor = (data: Float64Array, shape: number[], integer = false): BenchTensor => ({ data, shape, integer });
  if (def.family === 'keras' || def.tensors.inputs !== undefined) return null;
  if (def.tensors.layout === 'rows') {
    const n = Math.floor(elements / C);
    const shape = [n, C];
    let predictions = f32(n * C, () => r.normal() * 2);
    if (def.name === 'nll') predictions = f32(n * C, () => -r.uniform(0.05, 5));
    if (def.name === 'categorical_crossentropy' || def.name === 'sparse_categorical_crossentropy') predictions = f32(n * C, () => r.uniform(0.01, 1));
    if (def.name === 'multilabel_margin') return null; // lists of labels: from its sample below
    if (def.tensors.targetLayout === 'same') {
      // one-hot rows (categorical_hinge, categorical_crossentropy, multilabel_soft_margin)
      const t = new Float64Array(n * C);
      for (let i = 0; i < n; i++) t[i * C + r.int(C)] = 1;
      return { inputs: { predictions: tensor(predictions, shape), targets: tensor(t, shape) }, params: {}, elements: n * C };
    }
    return { inputs: { predictions: tensor(predictions, shape), targets: tensor(Float64Array.from({ length: n }, () => r.int(C)), [n], true) }, params: {}, elements: n * C };
  }
  const normal = () => r.normal();
  const sign = () => r.sign();
  const table: Record<string, [() => number, () => number]> = {
    poisson_nll: [normal, () => r.int(6)],
    msle: [() => r.uniform(0.01, 5), () => r.uniform(0, 5)],
    binary_cross_entropy: [() => r.uniform(0.01, 0.99), () => r.uniform()],
    bce_with_logits: [() => normal() * 2, () => r.uniform()],
    hinge: [normal, sign],
    squared_hinge: [normal, sign],
    logistic: [normal, sign],
    exponential: [normal, sign],
    zero_one: [normal, sign],
    sigmoid_focal: [() => normal() * 2, () => r.int(2)],
    kl_div: [() => Math.log(r.uniform(0.01, 1)), () => r.uniform(0.01, 1)],
    hinge_embedding: [() => Math.abs(normal()), sign],
  };
  const [p, t] = table[def.name] ?? [normal, normal];
  return { inputs: { predictions: tensor(f32(elements, p), [elements]), targets: tensor(f32(elements, t), [elements]) }, params: {}, elements };
}

/** The loss's own sample, repeated along axis 0 to about `elements` elements of its first input;
 *  null where that is no valid request (sequences are batched on axis 1: ctc has its own data
 *  above; circle's cost grows with the square of the batch). */
function tiled(def: LossDefinition, elements: number, r: ReturnType<typeof rng>): BenchData | null {
  if (def.tensors.layout === 'sequences' || def.tensors.coupledRows) return null;
  const sample = def.demo.sample(r);
  const first = sample.inputs[kernelSlots(def).predictions];
  const batch = first.shape[0];
  const size = first.data.length;
  if (first.shape.length === 0 || size === 0) return null;
  const k = Math.max(1, Math.round(elements / size));
  const integer = new Set(tensorInputs(def).filter((i) => i.integer).map((i) => i.name));
  const inputs: Record<string, BenchTensor> = {};
  for (const [name, t] of Object.entries(sample.inputs)) {
    const along = t.shape.length > 0 && t.shape[0] === batch;
    const data = along ? Float64Array.from({ length: t.data.length * k }, (_, i) => t.data[i % t.data.length]) : Float64Array.from(t.data);
    inputs[name] = { data, shape: along ? [t.shape[0] * k, ...t.shape.slice(1)] : t.shape, integer: integer.has(name) || (name === 'targets' && def.tensors.targetLayout === 'indices') };
  }
  return { inputs, params: sample.params, elements: size * k };
}

/** ctc, batched on axis 1: log-probabilities [T 100, N 32, C] (each row a log-softmax of normal
 *  logits, C from `elements`), padded labels [N, 20] never the blank, every sample's 100 frames and
 *  10 to 20 labels. */
function sequences(def: LossDefinition, elements: number, r: ReturnType<typeof rng>): BenchData | null {
  if (def.name !== 'ctc') return null;
  const [T, N, S] = [100, 32, 20];
  const C = Math.max(S + 2, Math.round(elements / (T * N)));
  const logProbs = new Float64Array(T * N * C);
  for (let row = 0; row < T * N; row++) {
    const z = Array.from({ length: C }, () => Math.fround(r.normal() * 2));
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
    for (let c = 0; c < C; c++) logProbs[row * C + c] = Math.fround(z[c] - lse);
  }
  const tensor = (data: Float64Array, shape: number[], integer: boolean): BenchTensor => ({ data, shape, integer });
  return {
    inputs: {
      log_probs: tensor(logProbs, [T, N, C], false),
      targets: tensor(Float64Array.from({ length: N * S }, () => 1 + r.int(C - 1)), [N, S], true),
      input_lengths: tensor(new Float64Array(N).fill(T), [N], true),
      target_lengths: tensor(Float64Array.from({ length: N }, () => S / 2 + r.int(S / 2 + 1)), [N], true),
    },
    params: {},
    elements: T * N * C,
  };
}

export function lossData(def: LossDefinition, elements: number, seed = 7): BenchData | null {
  const r = rng(seed);
  return classic(def, elements, r) ?? sequences(def, elements, r) ?? tiled(def, elements, r);
}
