// Requests large enough to keep a worker busy for a while.
import { rng } from '../../load/support/random.ts';

/** A cross_entropy POST /loss body of [rows, 10] logits with the gradient asked. */
export function bigCrossEntropy(rows: number, seed = 3) {
  const r = rng(seed);
  return {
    loss: 'cross_entropy',
    predictions: Array.from({ length: rows }, () => Array.from({ length: 10 }, () => r.normal())),
    targets: Array.from({ length: rows }, () => r.int(10)),
    include: ['gradient'],
  };
}
