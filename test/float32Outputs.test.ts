// An FP32 request's outputs are its float64 result rounded once to float32 (README, "Precision"):
// for every golden case of every loss, its inputs rounded to float32 and sent as Float32Array give
// outputs equal, element by element, to Math.fround of the outputs of the same values sent as
// float64. An output accumulated in float32 (two terms added into the output buffer) is off by
// float32 ulps and fails here.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { includeOf, labelView, valueCases, type GoldenCase } from './support/golden.ts';
import { findLoss } from '../src/losses/registry.ts';
import { prepareLossTask, slotTensors } from '../src/validation/prepareLossTask.ts';
import type { LossTask } from '../src/task/lossTask.ts';
import type { FloatArray } from '../src/losses/types.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
});
afterAll(() => app.close());

/** The case's task with its float inputs rounded to float32, held as float32 or float64 arrays
 *  (integer inputs as they are). */
function task(c: GoldenCase, held: 'float32' | 'float64'): LossTask {
  const floats = (data: number[]): FloatArray => (held === 'float32' ? Float32Array.from(data) : Float64Array.from(data, (v) => Math.fround(v)));
  const def = findLoss(c.loss)!;
  const integer = (data: number[]) => data.every(Number.isInteger) && def.tensors.layout !== 'elementwise';
  return prepareLossTask({
    def,
    ...slotTensors(def, (name) => {
      const t = c.inputs[name];
      if (t === undefined) return undefined;
      const labels = labelView(t);
      if (labels !== null) return labels;
      // Class indices and lengths stay exact; every float input is rounded to float32 first.
      const data = integer(t.data) && name !== 'predictions' ? Float64Array.from(t.data) : floats(t.data);
      return { data, shape: t.shape };
    }),
    params: def.params.parse(c.params),
    reduction: c.reduction as LossTask['reduction'],
    wantPerSample: includeOf(c).includes('per_sample'),
    wantGradient: includeOf(c).includes('gradient'),
    regularization: c.regularization ? { l1: c.regularization.l1, l2: c.regularization.l2, parameters: floats(c.regularization.parameters.data) } : null,
  });
}

test('every golden case: each FP32 output element is the float32 rounding of the float64 one', () => {
  const off: string[] = [];
  let checked = 0;
  for (const c of valueCases) {
    const f32 = app.lossPool.runInline(task(c, 'float32'));
    // eps "auto" follows the dtype (scikit-learn's np.finfo(y_pred.dtype).eps): the float64 run
    // that an FP32 answer rounds is the one with float32's epsilon.
    const autoEps = c.loss === 'sklearn.log_loss' && (c.params.eps ?? 'auto') === 'auto';
    const f64 = app.lossPool.runInline(task(autoEps ? { ...c, params: { ...c.params, eps: 2 ** -23 } } : c, 'float64'));
    const pairs: [string, FloatArray | null, FloatArray | null][] = [
      ['per_sample', f32.perSample, f64.perSample],
      ['gradient', f32.gradient, f64.gradient],
      ['parameters_gradient', f32.parametersGradient, f64.parametersGradient],
      ...Object.keys(f64.gradients).map((n) => [`gradient_${n}`, f32.gradients[n], f64.gradients[n]] as [string, FloatArray, FloatArray]),
    ];
    // A vector value (raw_values) element by element; NaN stands for it in `value`.
    const values32 = f32.values ?? [f32.value];
    const values64 = f64.values ?? [f64.value];
    values64.forEach((v, k) => {
      if (!Object.is(Math.fround(values32[k]), Math.fround(v))) off.push(`${c.id} value[${k}]: ${values32[k]} vs ${v}`);
    });
    for (const [name, a, b] of pairs) {
      if (b === null) continue;
      // A float64 array here (parameters_gradient) is rounded once when the answer is written.
      const i = b.findIndex((v, k) => Math.fround(a![k]) !== Math.fround(v));
      if (i >= 0) off.push(`${c.id} ${name}[${i}]: ${a![i]} vs fround(${b[i]}) = ${Math.fround(b[i])}`);
      checked += b.length;
    }
  }
  expect(off).toEqual([]);
  expect(checked).toBeGreaterThan(10_000);
});

test("a kernel that checks its own gradient as it stores it (nll) finds a float32 overflow there: the value finite, gradient[4] not", () => {
  const def = findLoss('nll')!;
  const [n, C] = [40_000, 3];
  // Class 1 weighs 1e39, finite in float64 and not in float32; its rows' log-probability is 0,
  // so the value stays finite and only those rows' gradient, −1e39, overflows.
  const x = Float32Array.from({ length: n * C }, (_, i) => (i % C === 1 && Math.floor(i / C) % C === 1 ? 0 : -1));
  const targets = Float64Array.from({ length: n }, (_, i) => i % C);
  const params = def.params.parse({ weight: [1, 1e39, 1] });
  const t = prepareLossTask({ def, predictions: { data: x, shape: [n, C] }, targets: { data: targets, shape: [n] }, params, reduction: 'sum', wantPerSample: false, wantGradient: true, regularization: null });
  const r = app.lossPool.runInline(t);
  expect(r.nonFinite).toEqual({ field: 'gradient', index: 4, float32: true });
});
