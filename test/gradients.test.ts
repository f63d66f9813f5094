// The gradient of every loss against central finite differences of its own value, on random
// inputs away from kinks, for mean and sum.
import { describe, expect, test } from 'vitest';
import { findLoss, losses } from '../src/losses/registry.ts';
import { computeLoss } from '../src/pool/computeLoss.ts';
import { prepareLossTask } from '../src/validation/prepareLossTask.ts';
import type { Reduction } from '../src/losses/types.ts';
import { rng } from '../load/support/random.ts';
import { inputGenerators, type LossInputs } from './support/lossInputs.ts';

function evaluate(name: string, inp: LossInputs, predictions: Float64Array, reduction: Reduction, wantGradient: boolean) {
  const def = findLoss(name)!;
  const task = prepareLossTask({
    def,
    predictions: { data: predictions, shape: inp.shape },
    targets: { data: Float64Array.from(inp.targets), shape: inp.targetShape },
    params: def.params.parse(inp.params),
    reduction,
    wantPerSample: false,
    wantGradient,
    regularization: null,
  });
  return computeLoss(task);
}

test('every loss of the registry has an input generator', () => {
  expect(Object.keys(inputGenerators).sort()).toEqual(losses.map((l) => l.name).sort());
});

describe.each(losses.map((l) => l.name))('%s', (name) => {
  test.each(['mean', 'sum'] as const)('gradient matches central differences (%s)', (reduction) => {
    for (let seed = 1; seed <= 5; seed++) {
      const inp = inputGenerators[name](rng(seed * 7919 + name.length));
      const x = Float64Array.from(inp.predictions);
      const { gradient } = evaluate(name, inp, x.slice(), reduction, true);
      for (let i = 0; i < x.length; i++) {
        const h = 1e-6 * Math.max(1, Math.abs(x[i]));
        const plus = x.slice();
        plus[i] += h;
        const minus = x.slice();
        minus[i] -= h;
        const fd = (evaluate(name, inp, plus, reduction, false).value - evaluate(name, inp, minus, reduction, false).value) / (plus[i] - minus[i]);
        const g = gradient![i];
        expect(Math.abs(g - fd), `seed ${seed}, element ${i}: gradient ${g}, finite difference ${fd}`).toBeLessThanOrEqual(1e-7 + 1e-5 * Math.abs(fd));
      }
    }
  });
});
