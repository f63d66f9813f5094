// The gradient of every loss against central finite differences of its own value, on random
// inputs away from kinks, for mean and sum: the gradient of every differentiable input.
import { describe, expect, test } from 'vitest';
import { findLoss, losses } from '../src/losses/registry.ts';
import { computeLoss } from '../src/pool/computeLoss.ts';
import { prepareLossTask } from '../src/validation/prepareLossTask.ts';
import type { Reduction } from '../src/losses/types.ts';
import { rng } from '../load/support/random.ts';
import { inputGenerators, type LossInputs } from './support/lossInputs.ts';

/** The loss at `inp`, with the tensor `moved` (the predictions, or an extra input) replaced. */
function evaluate(name: string, inp: LossInputs, moved: { input: string; data: Float64Array } | null, reduction: Reduction, wantGradient: boolean) {
  const def = findLoss(name)!;
  const take = (input: string, given: number[]) => (moved?.input === input ? moved.data : Float64Array.from(given));
  const task = prepareLossTask({
    def,
    predictions: { data: take('predictions', inp.predictions), shape: inp.shape },
    targets: { data: Float64Array.from(inp.targets), shape: inp.targetShape },
    extra: Object.fromEntries(Object.entries(inp.extra ?? {}).map(([k, v]) => [k, { data: take(k, v), shape: inp.shape }])),
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
      const result = evaluate(name, inp, null, reduction, true);
      // The kernel's first input is `predictions` here; the others are by name.
      const differentiable = [['predictions', inp.predictions, result.gradient!] as const, ...Object.entries(inp.extra ?? {}).map(([k, v]) => [k, v, result.gradients[k]] as const)];
      for (const [input, values, gradient] of differentiable) {
        if (gradient === undefined) continue; // an input without a gradient (none so far)
        const x = Float64Array.from(values);
        for (let i = 0; i < x.length; i++) {
          const h = 1e-6 * Math.max(1, Math.abs(x[i]));
          const plus = x.slice();
          plus[i] += h;
          const minus = x.slice();
          minus[i] -= h;
          const at = (data: Float64Array) => evaluate(name, inp, { input, data }, reduction, false).value;
          const fd = (at(plus) - at(minus)) / (plus[i] - minus[i]);
          const g = gradient[i];
          expect(Math.abs(g - fd), `seed ${seed}, ${input}[${i}]: gradient ${g}, finite difference ${fd}`).toBeLessThanOrEqual(1e-7 + 1e-5 * Math.abs(fd));
        }
      }
    }
  });
});
