// POST /check: a user's own loss, written here from its formula with exactly one departure (or
// two) from a reference, is answered `explained` with that hypothesis and its parameters; a
// reference's own outputs are answered `match` with it, for every loss; malformed `yours` and
// requests /loss refuses are refused the same way; a user's NaN is found where it first appears.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { includeGiven } from './support/golden.ts';
import { losses } from '../src/losses/registry.ts';
import { exampleInputs, tensorInputs } from '../src/losses/types.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

const check = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/check', payload });

// ---- the user's own code, written from the formulas --------------------------------------------
type M = number[][];
const map2 = (a: M, f: (v: number, i: number, j: number) => number): M => a.map((row, i) => row.map((v, j) => f(v, i, j)));
const sum2 = (a: M) => a.flat().reduce((s, v) => s + v, 0);
const count = (a: M) => a.flat().length;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softmax = (row: number[]) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** Binary cross-entropy on probabilities, elementwise, with a log of the user's choice. */
function bce(p: M, t: M, log: (v: number) => number = Math.log) {
  const per = map2(p, (v, i, j) => -(t[i][j] * log(v) + (1 - t[i][j]) * log(1 - v)));
  const dper = map2(p, (v, i, j) => (v - t[i][j]) / (v * (1 - v)));
  return { per, dper };
}

const P: M = [
  [0.9, 0.2, 0.6],
  [0.35, 0.7, 0.05],
];
const T: M = [
  [1, 0, 1],
  [0, 1, 0],
];
const X: M = [
  [1.5, -0.5, 0.3, 2.1],
  [0.2, 0.8, -1.2, 0.4],
  [-0.7, 0.1, 0.9, -0.3],
];
const Y = [3, 1, 0];
/** Regression predictions and targets. */
const XR: M = [
  [1, 2],
  [3, 4],
];
const YR: M = [
  [0.5, 1],
  [2, 5],
];

async function explained(payload: Record<string, unknown>, ids: string[], params?: Record<string, unknown>[]) {
  const res = await check(payload);
  expect(res.statusCode, res.body).toBe(200);
  const a = res.json();
  expect(a.verdict, JSON.stringify(a).slice(0, 600)).toBe('explained');
  expect(a.explanation.map((e: { id: string }) => e.id)).toEqual(ids);
  if (params) expect(a.explanation.map((e: { params?: unknown }) => e.params ?? {})).toEqual(params);
  for (const e of a.explanation) expect(e.says).toMatch(/^you|^your/);
  return a;
}

describe('each hypothesis, from a user implementation with exactly that departure', () => {
  test('sum_instead_of_mean: mse summed', async () => {
    const [x, y] = [XR, YR];
    const per = map2(x, (v, i, j) => (v - y[i][j]) ** 2);
    await explained({ loss: 'mse', predictions: x, targets: y, yours: { value: sum2(per), gradient: map2(x, (v, i, j) => 2 * (v - y[i][j])) } }, ['sum_instead_of_mean']);
  });

  test('mean_over_elements: cross-entropy (per row a sum over the classes) averaged over every element', async () => {
    const per = X.map((row, i) => -Math.log(softmax(row)[Y[i]]));
    const n = count(X);
    const grad = X.map((row, i) => softmax(row).map((p, c) => (p - (c === Y[i] ? 1 : 0)) / n));
    await explained({ loss: 'cross_entropy', predictions: X, targets: Y, yours: { value: per.reduce((a, b) => a + b, 0) / n, gradient: grad } }, ['mean_over_elements']);
  });

  test('mean_over_rows: binary cross-entropy summed over each row, averaged over the rows', async () => {
    const { per, dper } = bce(P, T);
    const n = P.length;
    await explained({ loss: 'binary_cross_entropy', predictions: P, targets: T, yours: { value: sum2(per) / n, gradient: map2(dper, (g) => g / n) } }, ['mean_over_rows']);
  });

  test('gradient_of_sum: the mean as value, the gradient of the sum', async () => {
    const x = [1, 2, 3, 4];
    const y = [0.5, 2.5, 2, 5];
    const value = x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / x.length;
    await explained({ loss: 'mse', predictions: x, targets: y, yours: { value, gradient: x.map((v, i) => 2 * (v - y[i])) } }, ['gradient_of_sum']);
  });

  test('unweighted_denominator: weighted cross-entropy divided by N instead of Σ w_y', async () => {
    const w = [1, 2, 0.5, 3];
    const per = X.map((row, i) => -w[Y[i]] * Math.log(softmax(row)[Y[i]]));
    await explained({ loss: 'cross_entropy', predictions: X, targets: Y, params: { weight: w }, yours: { value: per.reduce((a, b) => a + b, 0) / X.length } }, ['unweighted_denominator']);
  });

  test('clip: probabilities clipped to [1e-12, 1 − 1e-12] (the numpy idiom)', async () => {
    const p = [
      [1e-15, 0.2, 0.6],
      [0.35, 0.7, 0.05],
    ];
    const eps = 1e-12;
    const { per } = bce(map2(p, (v) => Math.min(Math.max(v, eps), 1 - eps)), T);
    const a = await explained({ loss: 'binary_cross_entropy', predictions: p, targets: T, yours: { value: sum2(per) / count(per), per_sample: per } }, ['clip'], [{ eps: 1e-12 }]);
    expect(a.plain_reference.outputs.per_sample.first_difference).toMatchObject({ index: 0, at: [0, 0], inputs: { predictions: 1e-15, targets: 1 } });
  });

  test('eps_in_log: log(p + 1e-7) and log(1 − p + 1e-7)', async () => {
    const eps = 1e-7;
    // p = 1e-3 with t = 1: log(p + ε) differs from log p by 1e-4 (no clip below p would act).
    const p = [
      [1e-3, 0.2, 0.6],
      [0.35, 0.7, 0.05],
    ];
    const per = map2(p, (v, i, j) => -(T[i][j] * Math.log(v + eps) + (1 - T[i][j]) * Math.log(1 - v + eps)));
    await explained({ loss: 'binary_cross_entropy', predictions: p, targets: T, yours: { value: sum2(per) / count(per), per_sample: per } }, ['eps_in_log'], [{ eps: 1e-7 }]);
  });

  test('no_clamp: the log taken unclamped where PyTorch clamps it at −100', async () => {
    const p = [
      [1e-50, 0.2, 0.6],
      [0.35, 0.7, 0.05],
    ];
    const per = map2(p, (v, i, j) => -(T[i][j] * Math.log(v) + (1 - T[i][j]) * Math.log1p(-v)));
    await explained({ loss: 'binary_cross_entropy', predictions: p, targets: T, yours: { value: sum2(per) / count(per) } }, ['no_clamp']);
  });

  test('probabilities_as_logits: sigmoid applied before a loss that applies it again', async () => {
    const z = map2(X, (v) => sigmoid(v));
    const t = map2(X, (_v, i, j) => ((i + j) % 2 === 0 ? 1 : 0));
    // bce_with_logits on z: max(z, 0) − z·t + log(1 + e^−|z|)
    const per = map2(z, (v, i, j) => Math.max(v, 0) - v * t[i][j] + Math.log1p(Math.exp(-Math.abs(v))));
    const n = count(per);
    const grad = map2(X, (v, i, j) => ((sigmoid(z[i][j]) - t[i][j]) * sigmoid(v) * (1 - sigmoid(v))) / n);
    await explained({ loss: 'bce_with_logits', predictions: X, targets: t, yours: { value: sum2(per) / n, gradient: grad } }, ['probabilities_as_logits'], [{ activation: 'sigmoid' }]);
  });

  test('logits_as_probabilities: logits fed to Keras’s probability formula (from_logits false) where from_logits true was meant', async () => {
    const x = [
      [2.0, -1.5, 0.3],
      [0.8, -0.2, 1.7],
    ];
    const e = 1e-7;
    const per = map2(x, (v, i, j) => {
      const p = Math.min(Math.max(v, e), 1 - e);
      return -(T[i][j] * Math.log(p) + (1 - T[i][j]) * Math.log(1 - p));
    }).map((row) => row.reduce((a, b) => a + b, 0) / row.length);
    await explained(
      { loss: 'keras.binary_crossentropy', predictions: x, targets: T, params: { from_logits: true }, yours: { value: per.reduce((a, b) => a + b, 0) / per.length } },
      ['logits_as_probabilities'],
    );
  });

  test('swapped_arguments: loss(targets, predictions)', async () => {
    const soft = [
      [0.8, 0.3, 0.55],
      [0.1, 0.65, 0.4],
    ];
    const per = map2(P, (v, i, j) => -(v * Math.log(soft[i][j]) + (1 - v) * Math.log(1 - soft[i][j])));
    await explained({ loss: 'binary_cross_entropy', predictions: P, targets: soft, yours: { value: sum2(per) / count(per), per_sample: per } }, ['swapped_arguments']);
  });

  test('label_smoothing_convention: Keras binary cross-entropy smoothed as ε/C instead of ε/2', async () => {
    const eps = 0.2;
    const C = 3;
    const e = 1e-7;
    const per = map2(P, (v, i, j) => {
      const t = T[i][j] * (1 - eps) + eps / C;
      const p = Math.min(Math.max(v, e), 1 - e);
      return -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
    }).map((row) => row.reduce((a, b) => a + b, 0) / row.length);
    await explained(
      { loss: 'keras.binary_crossentropy', predictions: P, targets: T, params: { label_smoothing: eps }, yours: { value: per.reduce((a, b) => a + b, 0) / per.length, per_sample: per } },
      ['label_smoothing_convention'],
      [{ convention: 'classes' }],
    );
  });

  test('half_factor: ½·mse', async () => {
    const [x, y] = [XR, YR];
    const per = map2(x, (v, i, j) => 0.5 * (v - y[i][j]) ** 2);
    await explained({ loss: 'mse', predictions: x, targets: y, yours: { value: sum2(per) / 4, per_sample: per, gradient: map2(x, (v, i, j) => (v - y[i][j]) / 4) } }, ['half_factor'], [{ factor: 0.5 }]);
  });

  test('gradient_sign: the gradient negated', async () => {
    const x = [1, 2, 3, 4];
    const y = [0.5, 2.5, 2, 5];
    const value = x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / 4;
    await explained({ loss: 'mse', predictions: x, targets: y, yours: { value, gradient: x.map((v, i) => (-2 * (v - y[i])) / 4) } }, ['gradient_sign']);
  });

  test('softmax_axis: the softmax taken over the samples (axis 0)', async () => {
    const cols = X[0].map((_, c) => softmax(X.map((row) => row[c])));
    const per = Y.map((y, i) => -Math.log(cols[y][i]));
    await explained({ loss: 'cross_entropy', predictions: X, targets: Y, yours: { value: per.reduce((a, b) => a + b, 0) / per.length, per_sample: per } }, ['softmax_axis'], [{ axis: 0 }]);
  });

  test('log_base: log₂ instead of ln', async () => {
    const { per } = bce(P, T, Math.log2);
    await explained({ loss: 'binary_cross_entropy', predictions: P, targets: T, yours: { value: sum2(per) / count(per), per_sample: per } }, ['log_base'], [{ base: 2 }]);
  });
});

describe('two departures at once', () => {
  test('clip and sum_instead_of_mean', async () => {
    const p = [
      [1e-15, 0.2, 0.6],
      [0.35, 0.7, 0.05],
    ];
    const eps = 1e-7;
    const { per } = bce(map2(p, (v) => Math.min(Math.max(v, eps), 1 - eps)), T);
    await explained({ loss: 'binary_cross_entropy', predictions: p, targets: T, yours: { value: sum2(per) } }, ['clip', 'sum_instead_of_mean'], [{ eps: 1e-7 }, {}]);
  });

  test('half_factor and gradient_sign', async () => {
    const x = [1, 2, 3, 4];
    const y = [0.5, 2.5, 2, 5];
    const value = (0.5 * x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0)) / 4;
    const a = await explained({ loss: 'mse', predictions: x, targets: y, yours: { value, gradient: x.map((v, i) => -(v - y[i]) / 4) } }, ['half_factor', 'gradient_sign']);
    expect(a.explanation[0].params).toEqual({ factor: 0.5 });
  });
});

describe('references as they are', () => {
  test("every loss's own outputs for its example are a match with that loss", async () => {
    for (const def of losses) {
      const body = { loss: def.name, ...exampleInputs(def), ...(def.demo.example.params ? { params: def.demo.example.params } : {}) };
      const own = await app.inject({ method: 'POST', url: '/loss', payload: { ...body, include: includeGiven(def, def.demo.example.params) } });
      expect(own.statusCode, `${def.name}: ${own.body}`).toBe(200);
      const o = own.json();
      const several = tensorInputs(def).filter((i) => i.differentiable).length > 1;
      const yours = { value: o.value, per_sample: o.per_sample, ...(several ? { gradients: o.gradients } : { gradient: o.gradient }) };
      const res = await check({ ...body, yours });
      expect(res.statusCode, `${def.name}: ${res.body}`).toBe(200);
      const a = res.json();
      expect({ loss: def.name, verdict: a.verdict, reference: a.reference.loss }).toEqual({ loss: def.name, verdict: 'match', reference: def.name });
      expect(a.explanation).toEqual([]);
    }
  });

  test('a related convention as it is is a match with it: Keras’s clipped binary cross-entropy sent as binary_cross_entropy', async () => {
    const p = [
      [1e-9, 0.2, 0.6],
      [0.35, 0.7, 0.05],
    ];
    const e = 1e-7;
    const per = map2(p, (v, i, j) => {
      const q = Math.min(Math.max(v, e), 1 - e);
      return -(T[i][j] * Math.log(q) + (1 - T[i][j]) * Math.log(1 - q));
    }).map((row) => row.reduce((a, b) => a + b, 0) / row.length);
    const a = (await check({ loss: 'binary_cross_entropy', predictions: p, targets: T, yours: { value: per.reduce((s, v) => s + v, 0) / per.length } })).json();
    expect(a).toMatchObject({ verdict: 'match', reference: { loss: 'keras.binary_crossentropy', params: { from_logits: false } } });
  });

  test('nothing tried agrees: unexplained, with the closest reference and the next candidates', async () => {
    const a = (await check({ loss: 'mse', predictions: [1, 2, 3], targets: [1, 1, 1], yours: { value: 42 } })).json();
    expect(a.verdict).toBe('unexplained');
    expect(a.candidates.length).toBeGreaterThan(0);
    expect(a.candidates.length).toBeLessThanOrEqual(5);
    expect(a.plain_reference.outputs.value).toMatchObject({ yours: 42, agrees: false });
  });
});

describe('refusals and findings', () => {
  test("outputs a scikit-learn metric does not give are refused where sent, naming yours' field", async () => {
    const base = { loss: 'sklearn.median_absolute_error', predictions: [2.5, 0, 2, 8], targets: [3, -0.5, 2, 7] };
    const terms = await check({ ...base, yours: { value: 0.5, per_sample: [0.5, 0.5, 0, 1] } });
    expect(terms.statusCode).toBe(400);
    expect(terms.json()).toMatchObject({ field: 'yours.per_sample', detail: expect.stringMatching(/^yours\.per_sample: .*no per-sample values/) });
    const raw = { loss: 'sklearn.mean_squared_error', predictions: [[1, 2], [3, 4]], targets: [[1, 1], [1, 1]], params: { multioutput: 'raw_values' } };
    const vector = await check({ ...raw, yours: { value: 2 } });
    expect(vector.json()).toMatchObject({ status: 400, field: 'yours.value' });
    const grad = await check({ ...raw, yours: { gradient: [[0, 1], [2, 3]] } });
    expect(grad.json()).toMatchObject({ status: 400, field: 'yours.gradient', detail: expect.stringMatching(/raw_values/) });
    // The value alone is compared (the median's value is 0.5).
    const value = (await check({ ...base, yours: { value: 0.5 } })).json();
    expect(value.verdict).toBe('match');
  });

  test('a request /loss refuses is refused the same way, naming the same field', async () => {
    const body = { loss: 'binary_cross_entropy', predictions: [0.5, 1.5], targets: [1, 0] };
    const loss = (await app.inject({ method: 'POST', url: '/loss', payload: body })).json();
    const res = await check({ ...body, yours: { value: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: loss.code, field: loss.field, index: loss.index, detail: loss.detail });
    expect((await check({ loss: 'mse_los', predictions: [1], targets: [1], yours: { value: 0 } })).json().detail).toMatch(/did you mean mse_loss\?/);
  });

  test('malformed yours: missing outputs, a wrong shape, a gradient for reduction none, an unknown field', async () => {
    const base = { loss: 'mse', predictions: [[1, 2]], targets: [[1, 1]] };
    expect((await check({ ...base, yours: {} })).json()).toMatchObject({ status: 400, detail: expect.stringMatching(/at least one of value, per_sample, gradient, gradients/) });
    expect((await check(base)).json()).toMatchObject({ status: 400, field: 'yours' });
    const shape = (await check({ ...base, yours: { per_sample: [0, 1] } })).json();
    expect(shape).toMatchObject({ status: 400, code: 'shape_mismatch', field: 'yours.per_sample', detail: expect.stringMatching(/\[2\].*\[1, 2\]/) });
    expect((await check({ ...base, reduction: 'none', yours: { gradient: [[0, 2]] } })).json()).toMatchObject({ status: 400, field: 'yours.gradient' });
    expect((await check({ ...base, yours: { value: 1, valu: 2 } })).json()).toMatchObject({ status: 400 });
    expect((await check({ ...base, yours: { value: 'one' } })).json()).toMatchObject({ status: 400 });
  });

  test("a user's NaN is reported where it first appears", async () => {
    const a = (await check({ loss: 'mse', predictions: [[1, 2], [3, 4]], targets: [[1, 1], [1, 1]], yours: { per_sample: [[0, 1], ['NaN', 9]] } })).json();
    expect(a.verdict).toBe('unexplained');
    expect(a.plain_reference.outputs.per_sample.first_not_finite).toEqual({ index: 2, at: [1, 0], yours: 'NaN' });
  });

  test('inputs past the search size are a 413 that says so', async () => {
    const n = 100_001;
    const res = await check({ loss: 'mse', predictions: Array(n).fill(0.5), targets: Array(n).fill(1), yours: { value: 0.25 } });
    expect(res.statusCode).toBe(413);
    expect(res.json().detail).toMatch(/up to 100000 elements/);
  });
});
