// The gradient of every differentiable input of every loss against central finite differences
// of its own value, on the random requests each loss declares (LossDefinition.sample, away from
// kinks), for every reduction it takes.
import { describe, expect, test } from 'vitest';
import { losses } from '../src/losses/registry.ts';
import { computeLoss } from '../src/pool/computeLoss.ts';
import { inRequestLayout } from '../src/pool/taskArrays.ts';
import { prepareLossTask, reductionsOf, slotTensors } from '../src/validation/prepareLossTask.ts';
import { kernelSlots, tensorInputs, type LossDefinition, type Reduction } from '../src/losses/types.ts';
import type { Sample } from '../src/losses/samples.ts';
import { rng } from '../load/support/random.ts';

/** The loss at `sample`, with the tensor `moved.input` replaced by `moved.data`. */
function evaluate(def: LossDefinition, sample: Sample, moved: { input: string; data: Float64Array } | null, reduction: Reduction, wantGradient: boolean) {
  const task = prepareLossTask({
    def,
    ...slotTensors(def, (name) => {
      const t = sample.inputs[name];
      return t === undefined ? undefined : { data: moved?.input === name ? moved.data : Float64Array.from(t.data), shape: t.shape };
    }),
    params: def.params.parse(sample.params),
    reduction,
    wantPerSample: false,
    wantGradient,
    regularization: null,
  });
  // As the routes answer: gradients in the request's layout (lossTask.ts).
  const result = inRequestLayout(task, computeLoss(task));
  expect(result.problem, JSON.stringify(result.problem)).toBeNull();
  return result;
}

/** log_softmax along the last axis (rows of `cols`). */
function logSoftmaxRows(x: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length; r += cols) {
    let m = -Infinity;
    for (let k = r; k < r + cols; k++) m = Math.max(m, x[k]);
    let s = 0;
    for (let k = r; k < r + cols; k++) s += Math.exp(x[k] - m);
    for (let k = r; k < r + cols; k++) out[k] = x[k] - m - Math.log(s);
  }
  return out;
}

const differentiableLosses = losses.filter((def) => tensorInputs(def).some((i) => i.differentiable));

describe.each(differentiableLosses.map((def) => [def.name, def] as const))('%s', (_name, def) => {
  // Every reduction that answers a gradient (Keras's none answers per_sample alone).
  test.each(reductionsOf(def).filter((r) => r !== 'none'))('gradient of every differentiable input matches central differences (%s)', (reduction) => {
    for (let seed = 1; seed <= 5; seed++) {
      const sample = def.demo.sample(rng(seed * 7919 + def.name.length));
      const result = evaluate(def, sample, null, reduction, true);
      const first = kernelSlots(def).predictions;
      const differentiable = tensorInputs(def).filter((i) => i.differentiable);
      expect(differentiable.length).toBeGreaterThan(0);
      for (const input of differentiable) {
        const gradient = input.name === first ? result.gradient! : result.gradients[input.name];
        const { data: values, shape } = sample.inputs[input.name];
        const cols = shape[shape.length - 1];
        // The convention 'logits': the gradient is with respect to the logits z behind
        // log-probabilities x = log_softmax(z); at z = x (already log-softmax rows), moving z_i by
        // h moves the inputs to log_softmax(x + h·e_i).
        const send = (x: Float64Array) => (input.gradientConvention === 'logits' ? logSoftmaxRows(x, cols) : x);
        const x = Float64Array.from(values);
        for (let i = 0; i < x.length; i++) {
          const h = 1e-6 * Math.max(1, Math.abs(x[i]));
          const plus = x.slice();
          plus[i] += h;
          const minus = x.slice();
          minus[i] -= h;
          const at = (data: Float64Array) => evaluate(def, sample, { input: input.name, data: send(data) }, reduction, false).value;
          const fd = (at(plus) - at(minus)) / (plus[i] - minus[i]);
          const g = gradient[i];
          expect(Math.abs(g - fd), `seed ${seed}, ${input.name}[${i}]: gradient ${g}, finite difference ${fd}`).toBeLessThanOrEqual(1e-7 + 1e-5 * Math.abs(fd));
        }
      }
    }
  });
});

// Losses of labels alone (scikit-learn's zero_one_loss, hamming_loss) are piecewise constant:
// they refuse a gradient, saying why, and their value does not move with a small step.
test.each(losses.filter((def) => !differentiableLosses.includes(def)).map((def) => [def.name, def] as const))('%s refuses a gradient and gives its value', (_name, def) => {
  const sample = def.demo.sample(rng(11));
  const params = def.params.parse(sample.params);
  expect(def.checks?.refuseOutputs?.(params, { perSample: false, gradient: true })?.detail).toMatch(/no gradient: .*piecewise constant/);
  expect(Number.isFinite(evaluate(def, sample, null, reductionsOf(def)[0], false).value)).toBe(true);
});
