// Valid inputs of about `elements` prediction elements for any loss of the catalog, in float32
// (targets float32, or int64 class indices), for the kernel table.
import type { LossDefinition } from '../../src/losses/types.ts';
import { rng } from './random.ts';

export interface BenchData {
  predictions: Float32Array;
  shape: number[];
  targets: Float32Array | BigInt64Array;
  targetShape: number[];
  params: Record<string, unknown>;
}

const C = 10;

export function lossData(def: LossDefinition, elements: number, seed = 7): BenchData {
  const r = rng(seed);
  const fill = (n: number, f: (i: number) => number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = f(i);
    return a;
  };
  if (def.layout === 'rows') {
    const n = Math.floor(elements / C);
    const shape = [n, C];
    let predictions = fill(n * C, () => r.normal() * 2);
    if (def.name === 'nll') predictions = fill(n * C, () => -r.uniform(0.05, 5));
    if (def.name === 'categorical_crossentropy' || def.name === 'sparse_categorical_crossentropy') predictions = fill(n * C, () => r.uniform(0.01, 1));
    if (def.targetLayout === 'same') {
      // one-hot rows (categorical_hinge, categorical_crossentropy)
      const t = new Float32Array(n * C);
      for (let i = 0; i < n; i++) t[i * C + r.int(C)] = 1;
      return { predictions, shape, targets: t, targetShape: shape, params: {} };
    }
    const t = new BigInt64Array(n);
    for (let i = 0; i < n; i++) t[i] = BigInt(r.int(C));
    return { predictions, shape, targets: t, targetShape: [n], params: {} };
  }
  const shape = [elements];
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
  };
  const [p, t] = table[def.name] ?? [normal, normal];
  return { predictions: fill(elements, p), shape, targets: fill(elements, t), targetShape: shape, params: {} };
}
