// The WebAssembly SIMD kernels (src/losses/simd/kernels.c): their exp, log1p and log within 1 ulp
// of Math's, and every loss that runs one equal to its scalar reference (LossDefinition.scalarKernel)
// to a few ulps, on its sample over several calls, FP64 and FP32, and at the edges of its formula.
import { describe, expect, test } from 'vitest';
import { findLoss, losses } from '../src/losses/registry.ts';
import type { LossDefinition } from '../src/losses/types.ts';
import type { LossTask } from '../src/task/lossTask.ts';
import { computeLoss } from '../src/pool/computeLoss.ts';
import { prepareLossTask, slotTensors } from '../src/validation/prepareLossTask.ts';
import { simdMath, SIMD_CHUNK } from '../src/losses/simd/simd.ts';
import { rng } from '../load/support/random.ts';

/** Distance in units in the last place between two float64 of the same sign. */
function ulps(a: number, b: number): number {
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  const d = bits[0] - bits[1];
  return Number(d < 0n ? -d : d);
}

test('log on [1, 1e6] is within 1 ulp of Math.log', () => {
  const r = rng(4);
  const s = Float64Array.from({ length: SIMD_CHUNK - 3 }, (_, i) => (i % 2 ? 1 + r.uniform() : Math.exp(14 * r.uniform())));
  s.set([1, 2, 1 + 2 ** -52, 2 - 2 ** -52, 1e6, 10], 0);
  const l = simdMath('log', s);
  let worst = 0;
  for (let i = 0; i < s.length; i++) worst = Math.max(worst, ulps(l[i], Math.log(s[i])));
  expect(worst).toBeLessThanOrEqual(1);
});

test('exp on [−708, 0] and log1p on [0, 1] are within 1 ulp of Math.exp and Math.log1p', () => {
  const r = rng(3);
  const worst = { exp: 0, log1p: 0 };
  for (let round = 0; round < 8; round++) {
    const x = Float64Array.from({ length: SIMD_CHUNK }, (_, i) => -[1, 40, 708][i % 3] * r.uniform());
    x.set([0, -0, -1e-300, -708, -1e-16, -0.5 * Math.LN2, -745.2], 0);
    const e = simdMath('exp', x);
    for (let i = 0; i < x.length; i++) worst.exp = Math.max(worst.exp, x[i] < -708 ? 0 : ulps(e[i], Math.exp(x[i])));
    const u = Float64Array.from({ length: SIMD_CHUNK }, (_, i) => (i % 2 ? r.uniform() : Math.exp(-700 * r.uniform())));
    u.set([0, 1, 1e-300, 5e-324, 1e-17, 0.5], 0);
    const l = simdMath('log1p', u);
    for (let i = 0; i < u.length; i++) worst.log1p = Math.max(worst.log1p, ulps(l[i], Math.log1p(u[i])));
  }
  expect(worst).toEqual({ exp: expect.any(Number), log1p: expect.any(Number) });
  expect(worst.exp).toBeLessThanOrEqual(1);
  expect(worst.log1p).toBeLessThanOrEqual(1);
});

/** The kernel and its scalar reference on the same prepared task: value, per_sample, gradient. */
function bothKernels(def: LossDefinition, task: LossTask) {
  const { input } = task;
  const units = input.rows;
  const run = (kernel: NonNullable<LossDefinition['scalarKernel']>) => {
    const perSample = new Float64Array(units);
    const gradient = new Float64Array(input.predictions.length);
    const value = kernel(input, 0, units, { perSample, gradient, gradScale: 0.5, gradients: {}, reduction: 'sum' });
    return { value, perSample, gradient };
  };
  return { simd: run(def.kernel), scalar: run(def.scalarKernel!) };
}

/** Inputs at the edges of each SIMD kernel's formula, beside its declared sample. */
const EDGES: Record<string, { x: number[]; t: number[] }> = {
  bce_with_logits: { x: [0, -0, 1e-300, -1e-300, 30, -30, 700, -700, 750, -750, 1e4, -1e4, 2.5, -2.5], t: [0, 1, 0.5, 1, 0, 0.3, 1, 0, 0.5, 1, 0, 1, 0.7, 0.2] },
  logistic: { x: [0, -0, 1e-300, 30, -30, 700, -750, 1e4, -1e4, 2.5, -2.5, 1e-8, -1e-8, 5], t: [1, -1, 1, -1, 1, -1, 1, -1, 1, 1, -1, 1, -1, 1] },
  mse: { x: [0, -0, 1, -1, 1e153, -1e153, 1e-300, 0.5, 2, -2, 1e150, 3, 1e10, -7], t: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, -1, 0, -7] },
  l1: { x: [0, -0, 1, -1, 1e154, -1e154, 1e-300, 0.5, 2, -2, 1e300, 3, 5e-324, -7], t: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, -1, 0, -7] },
  huber: { x: [0, -0, 1, -1, 1 + 1e-16, 1e300, -1e300, 0.5, 2, -2, 1e-300, 3, 1e10, -7], t: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, -1, 0, -7] },
  smooth_l1: { x: [0, -0, 1, -1, 1 - 1e-16, 1e300, -1e300, 0.5, 2, -2, 1e-300, 3, 1e10, -7], t: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, -1, 0, -7] },
  sigmoid_focal: { x: [0, -0, 1e-300, 30, -30, 700, -750, 1e4, -1e4, 2.5, -2.5, 1e-8, 19, 21], t: [1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1] },
  poisson_nll: { x: [0, -0, 1e-300, 30, -30, 700, -750, -1e4, 2.5, -2.5, 709.78, 5, 0.5, -0.5], t: [1, 0, 2, 0, 1, 7, 0, 3, 100, 0, 1, 2, 1e6, 1.5] },
  kl_div: { x: [0, -0, -1e-300, -30, -700, -750, -1e4, -2.5, -1e-8, -5, -0.5, 3, -1, -2], t: [0, 1, 1e-300, 0.5, 1, 0, 1e-12, 0.3, 1, 0.9, 0, 0.2, 1e-320, 0.7] },
  msle: { x: [0, -0, 1e-300, 1e-17, 0.999, 1, 1.001, 1e300, -1, -1e-300, 30, 2.5, 7, 0.5], t: [0, 1, 1e-300, 0, 1, 1, 1e6, 0, 2, -3, 1e-20, 0.3, 7, 3] },
  exponential: { x: [0, -0, 1e-300, 30, -30, 700, -700, 7, 709.5, -2.5, 1e-8, 5, 0.5, -0.5], t: [1, -1, 1, -1, 1, -1, 1, -1, -1, 1, -1, 1, -1, 1] },
  log_cosh: { x: [0, -0, 1e-300, 1e-8, -1e-8, 0.2499, 0.25, 0.9999999, 1, -1, 30, -700, 800, 1e300], t: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0] },
  // One row of 14 labels (an unbatched [C] request): bce_with_logits's edges averaged.
  multilabel_soft_margin: { x: [0, -0, 1e-300, -1e-300, 30, -30, 700, -700, 750, -750, 1e4, -1e4, 2.5, -2.5], t: [0, 1, 0.5, 1, 0, 0.3, 1, 0, 0.5, 1, 0, 1, 0.7, 0.2] },
  // One row (axis −1): the clip's bounds, just inside and outside them.
  'keras.binary_crossentropy': { x: [0, 1, 1e-7, 1 - 1e-7, 5e-8, 1 - 5e-8, 1.5e-7, 1 - 1.5e-7, 0.5, 1e-300, 0.3, 0.999, 0.001, 0.75], t: [1, 0, 1, 0, 0.5, 0.5, 0.3, 1, 0, 0.2, 0.9, 1, 0, 1] },
  // One row of 14 classes: zero and tiny probabilities (below the clip once renormalised).
  'keras.categorical_crossentropy': { x: [0, 1e-9, 1e-7, 0.4, 0.3, 0.2999999, 1e-300, 0, 2e-7, 0, 0, 5e-324, 0.05, 0.05], t: [0, 1, 0, 0.5, 0, 0.25, 0, 0, 0.25, 0, 0, 0, 0, 0] },
  'keras.mean_squared_logarithmic_error': { x: [0, -1, 1e-7, 1e-8, 5e-8, 1.5e-7, 0.5, 1, 10, 1e6, 1e-300, -1e-300, 3, 7], t: [0, 1, 1e-7, 0, 2, -3, 0.5, 1e-9, 10, 0, 1e300, 4, 0, 7] },
  'keras.kl_divergence': { x: [0, 1, 1e-7, 5e-8, 1.5, 1 + 2 ** -52, 0.3, 0.5, 1e-300, 0.2, 0.999, 1 - 2 ** -53, 0.05, 0.7], t: [0, 1, 0.5, 1e-9, 0.2, 0.3, 1e-7, 0.5, 0.1, 2, 0.999, 0.25, 1e-300, 0.7] },
  // One row: q = 1 − p_t at 0 (p = 1 with y = 1), p at and outside the clip.
  'keras.binary_focal_crossentropy': { x: [1, 0, 1e-7, 1 - 1e-7, 5e-8, 1 - 5e-8, 0.5, 1e-300, 0.3, 0.999, 0.001, 0.75, 1, 0], t: [1, 0, 1, 0, 0.5, 0.5, 0.3, 1, 0, 0.2, 0.9, 1, 0, 1] },
  'keras.log_cosh': { x: [0, -0, 1e-300, 1e-8, -1e-8, 0.2499, 0.25, 0.9999999, 1, -1, 30, -700, 800, 1e300], t: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0] },
  binary_cross_entropy: { x: [0, 1, 1e-300, 5e-324, 1e-12, 1 - 1e-12, 0.5, 0.5 - 1e-17, 0.5 + 1e-16, 0.25, 0.75, 1e-45, 0.999, 0.001], t: [1, 0, 1, 1, 0.5, 0.5, 0.3, 1, 0, 0.2, 0.9, 1, 0, 1] },
};

/** The SIMD kernel agrees with its scalar reference on the task: each per-sample value and
 *  gradient element to a few ulps of the size of its terms (`sameNonFinite`: or the same
 *  non-finite number), and with `value` the sums to n ulps (they add in another order). */
function expectAgree(def: LossDefinition, task: LossTask, label: string, { value = true, sameNonFinite = false } = {}) {
  const { simd, scalar } = bothKernels(def, task);
  for (const [name, a, b] of [['per_sample', simd.perSample, scalar.perSample], ['gradient', simd.gradient, scalar.gradient]] as const) {
    const off = a.findIndex((v, i) => !((sameNonFinite && Object.is(v, b[i])) || Math.abs(v - b[i]) <= 1e-14 * (1 + Math.abs(b[i]))));
    expect(off, `${label} ${name}[${off}]: ${a[off]} vs ${b[off]}`).toBe(-1);
  }
  const n = simd.perSample.length;
  if (value) expect(Math.abs(simd.value - scalar.value), label).toBeLessThanOrEqual(n * 1e-15 * (1 + Math.abs(scalar.value)));
}

describe.each(losses.filter((d) => d.scalarKernel !== undefined).map((d) => [d.name, d] as const))('%s: the SIMD kernel against its scalar reference', (name, def) => {
  test('its sample repeated past several calls, FP64 and FP32, and its edge inputs: value, per_sample and gradient', () => {
    const sample = def.demo.sample(rng(21));
    const tasks: LossTask[] = [];
    // The sample's parameters without those that take the scalar path (weights, PyTorch's
    // smoothing), then as they are, and the logits form where there is one.
    const plain = Object.fromEntries(Object.entries(sample.params).filter(([k]) => k !== 'weight' && k !== 'pos_weight' && k !== 'label_smoothing'));
    const variants = [plain, sample.params, ...('from_logits' in (def.params.parse({}) as object) ? [{ ...sample.params, from_logits: true }] : [])];
    for (const [float32, params] of [false, true].flatMap((f) => variants.map((v) => [f, v] as const))) {
      // 2,501 repetitions: several SIMD calls of 16,384 elements and a tail that is not a multiple of 16.
      tasks.push(
        prepareLossTask({
          def,
          ...slotTensors(def, (input) => {
            const t = sample.inputs[input];
            if (t === undefined) return undefined;
            const k = 2501;
            const data = Float64Array.from({ length: t.data.length * k }, (_, i) => t.data[i % t.data.length]);
            return { data: float32 && input === 'predictions' ? Float32Array.from(data) : data, shape: [t.shape[0] * k, ...t.shape.slice(1)] };
          }),
          params: def.params.parse(params),
          reduction: 'sum',
          wantPerSample: true,
          wantGradient: true,
          regularization: null,
        }),
      );
    }
    const edges = EDGES[name];
    if (edges) {
      tasks.push(
        prepareLossTask({ def, predictions: { data: Float64Array.from(edges.x), shape: [edges.x.length] }, targets: { data: Float64Array.from(edges.t), shape: [edges.t.length] }, params: def.params.parse({}), reduction: 'sum', wantPerSample: true, wantGradient: true, regularization: null }),
      );
    }
    for (const task of tasks) expectAgree(def, task, name);
  });
});

test('keras.binary_focal_crossentropy in SIMD: γ of 0, ½, 1 and 3 (pow at q = 0 included), both forms, with class balancing: as its scalar rows', () => {
  const def = findLoss('keras.binary_focal_crossentropy')!;
  const r = rng(8);
  const n = 4000;
  const probabilities = Float64Array.from({ length: n }, (_, i) => (i % 50 === 0 ? 1 : i % 50 === 1 ? 0 : r.uniform()));
  const logits = Float64Array.from({ length: n }, () => r.normal() * 4);
  const t = Float64Array.from({ length: n }, (_, i) => (i % 50 < 2 ? 1 : r.int(2)));
  for (const gamma of [0, 0.5, 1, 3]) {
    for (const from_logits of [false, true]) {
      const task = prepareLossTask({
        def,
        predictions: { data: from_logits ? logits : probabilities, shape: [n / 4, 4] },
        targets: { data: t, shape: [n / 4, 4] },
        params: def.params.parse({ gamma, from_logits, apply_class_balancing: true, alpha: 0.3 }),
        reduction: 'sum',
        wantPerSample: true,
        wantGradient: true,
        regularization: null,
      });
      // Equal where the scalar is not finite (+∞ at q = 0 for γ < 1), else to a few ulps.
      expectAgree(def, task, `γ ${gamma}, from_logits ${from_logits}:`, { value: false, sameNonFinite: true });
    }
  }
});

test('cross_entropy with probability targets in SIMD (categorical_rows on logits), smoothing 0 and 0.1: as its scalar form', () => {
  const def = findLoss('cross_entropy')!;
  const r = rng(9);
  const [n, C] = [3001, 7];
  const x = Float64Array.from({ length: n * C }, (_, i) => (i === 5 ? 1e4 : i === 6 ? -1e4 : r.normal() * 3));
  const t = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += t[i * C + c] = r.uniform();
    for (let c = 0; c < C; c++) t[i * C + c] /= s;
  }
  for (const label_smoothing of [0, 0.1]) {
    const task = prepareLossTask({ def, predictions: { data: x, shape: [n, C] }, targets: { data: t, shape: [n, C] }, params: def.params.parse({ label_smoothing }), reduction: 'sum', wantPerSample: true, wantGradient: true, regularization: null });
    expectAgree(def, task, `ε ${label_smoothing}:`);
  }
});

test("the SIMD kernels check the gradient while writing it: every element counted, the first beyond the output's datatype named", () => {
  // kl_div with log targets: the gradient −e^t is −e^90 ≈ −1.2e39 at 20,000 and 30,000 (past
  // float32, inside float64) and −e^800 = −∞ at 25,000 (past both).
  const def = findLoss('kl_div')!;
  const n = 40_000;
  const t = new Float64Array(n);
  [t[20_000], t[25_000], t[30_000]] = [90, 800, 90];
  for (const float32 of [false, true]) {
    const x = float32 ? new Float32Array(n) : new Float64Array(n);
    const task = prepareLossTask({ def, predictions: { data: x, shape: [n] }, targets: { data: t, shape: [n] }, params: def.params.parse({ log_target: true }), reduction: 'sum', wantPerSample: false, wantGradient: true, regularization: null });
    const gradientChecked = { count: 0, first: -1 };
    const gradient = float32 ? new Float32Array(n) : new Float64Array(n);
    def.kernel(task.input, 0, n, { perSample: null, gradient, gradScale: 1, gradients: {}, reduction: 'sum', gradientChecked });
    expect(gradientChecked).toEqual({ count: n, first: float32 ? 20_000 : 25_000 });
  }
});

test('float32 outputs are narrowed in the module as a Float32Array store narrows: each the fround of the float64 output', () => {
  for (const name of ['bce_with_logits', 'mse', 'multilabel_soft_margin', 'cross_entropy', 'keras.binary_crossentropy', 'categorical_crossentropy']) {
    const def = findLoss(name)!;
    const sample = def.demo.sample(rng(23));
    const k = 1001; // an odd number of repetitions: odd call lengths, a tail of one
    const task = prepareLossTask({
      def,
      ...slotTensors(def, (input) => {
        const t = sample.inputs[input];
        if (t === undefined) return undefined;
        return { data: Float64Array.from({ length: t.data.length * k }, (_, i) => t.data[i % t.data.length]), shape: [t.shape[0] * k, ...t.shape.slice(1)] };
      }),
      params: def.params.parse({}),
      reduction: 'sum',
      wantPerSample: true,
      wantGradient: true,
      regularization: null,
    });
    const units = task.input.rows;
    const run = (make: (n: number) => Float32Array | Float64Array) => {
      const out = { perSample: make(units), gradient: make(task.input.predictions.length), gradScale: 0.25, gradients: {}, reduction: 'sum' as const };
      def.kernel(task.input, 0, units, out);
      return out;
    };
    const wide = run((n) => new Float64Array(n));
    const narrow = run((n) => new Float32Array(n));
    expect(Array.from(narrow.perSample), name).toEqual(Array.from(wide.perSample, Math.fround));
    expect(Array.from(narrow.gradient), name).toEqual(Array.from(wide.gradient, Math.fround));
  }
});

test('cross_entropy with class weights (0 and negative ones among them) and ignored targets in SIMD: as its scalar form', () => {
  const def = findLoss('cross_entropy')!;
  const r = rng(14);
  const [n, C] = [5003, 6];
  const x = Float64Array.from({ length: n * C }, (_, i) => (i === 7 ? 1e4 : r.normal() * 3));
  const t = Float64Array.from({ length: n }, (_, i) => (i % 17 === 3 ? -100 : r.int(C)));
  const task = prepareLossTask({
    def,
    predictions: { data: x, shape: [n, C] },
    targets: { data: t, shape: [n] },
    params: def.params.parse({ weight: [0.5, 2, 0, -0.75, 1, 3] }),
    reduction: 'sum',
    wantPerSample: true,
    wantGradient: true,
    regularization: null,
  });
  expectAgree(def, task, 'class weights:');
});

function bce(x: Float64Array, t: Float64Array, reduction: 'mean' | 'sum') {
  const def = findLoss('bce_with_logits')!;
  return computeLoss(
    prepareLossTask({ def, predictions: { data: x, shape: [x.length] }, targets: { data: t, shape: [t.length] }, params: def.params.parse({}), reduction, wantPerSample: true, wantGradient: true, regularization: null }),
  );
}

test('bce_with_logits in SIMD: its gradient against central differences of its own value', () => {
  const r = rng(5);
  const x = Float64Array.from({ length: 9 }, () => r.normal() * 3);
  const t = Float64Array.from({ length: 9 }, () => r.uniform());
  const { gradient } = bce(x, t, 'sum');
  for (let i = 0; i < x.length; i++) {
    const at = (d: number) => bce(x.map((v, k) => (k === i ? v + d : v)), t, 'sum').value;
    const fd = (at(1e-6) - at(-1e-6)) / 2e-6;
    expect(Math.abs(gradient![i] - fd)).toBeLessThanOrEqual(1e-7 + 1e-6 * Math.abs(fd));
  }
});

test('gaussian_nll with an eps below the normal doubles (which the module log does not take): the scalar form, bit for bit, and finite', () => {
  const def = findLoss('gaussian_nll')!;
  const n = 40_000;
  const data = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  const task = prepareLossTask({
    def,
    // Residuals of 1e-160 or less: over a variance clamped at 1e-310 their squares stay finite.
    predictions: { data: data((i) => Math.cos(i) + (i % 2) * 1e-160 * Math.sin(i)), shape: [n] },
    targets: { data: data((i) => Math.cos(i)), shape: [n] },
    extra: { var: { data: data((i) => (i % 5 === 0 ? 0 : 1e-300 * (i % 7))), shape: [n] } },
    params: def.params.parse({ eps: 1e-310 }),
    reduction: 'sum',
    wantPerSample: true,
    wantGradient: true,
    regularization: null,
  });
  const run = (kernel: NonNullable<LossDefinition['scalarKernel']>) => {
    const out = { perSample: new Float64Array(n), gradient: new Float64Array(n), gradScale: 1, gradients: { var: new Float64Array(n) }, reduction: 'sum' as const };
    return { value: kernel(task.input, 0, n, out), ...out };
  };
  const simd = run(def.kernel);
  const scalar = run(def.scalarKernel!);
  expect(Object.is(simd.value, scalar.value)).toBe(true);
  expect(simd.perSample).toEqual(scalar.perSample);
  expect(simd.gradients.var).toEqual(scalar.gradients.var);
  expect(simd.perSample.every(Number.isFinite)).toBe(true);
});
