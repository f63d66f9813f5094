// Logits of ±1e4 give finite values and gradients for every loss that takes logits or scores;
// probabilities of exactly 0 and 1 give finite values, with PyTorch's BCE backward at the edges;
// embeddings of norm 1e-150 and 1e150, triplet distances of 1e150 and CTC log-probabilities of
// −1e4 stay finite too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { flatten } from './support/golden.ts';
import { inferRequest } from '../load/support/v2client.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
});
afterAll(() => app.close());

const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/loss', payload: { include: ['per_sample', 'gradient'], ...payload } });

/** [T, 1, 3] log-probabilities, frame by frame. */
function ctcFrames(steps: number, frame: (t: number) => number[]): number[][][] {
  return Array.from({ length: steps }, (_, t) => [frame(t)]);
}

const big = [[1e4, -1e4, 0], [-1e4, 1e4, 3], [1e4, 1e4, -1e4]];
const bigFlat = [1e4, -1e4, 0, -1e4, 1e4, 3];

const cases: [string, Record<string, unknown>][] = [
  ['bce_with_logits', { predictions: bigFlat, targets: [0, 1, 0.5, 1, 0, 1], params: { pos_weight: [1, 2, 3, 1, 1, 1] } }],
  ['sigmoid_focal', { predictions: bigFlat, targets: [0, 1, 1, 1, 0, 0], params: { gamma: 0.5 } }],
  ['logistic', { predictions: bigFlat, targets: [1, 1, -1, 1, -1, -1] }],
  ['hinge', { predictions: bigFlat, targets: [1, -1, 1, -1, 1, -1] }],
  ['squared_hinge', { predictions: bigFlat, targets: [1, -1, 1, -1, 1, -1] }],
  ['zero_one', { predictions: bigFlat, targets: [1, -1, 1, -1, 1, -1] }],
  ['cross_entropy', { predictions: big, targets: [1, 0, 2], params: { label_smoothing: 0.1, weight: [1, 2, 3] } }],
  ['cross_entropy', { predictions: big, targets: [[0, 1, 0], [0.5, 0.5, 0], [0, 0, 1]] }],
  ['categorical_crossentropy', { predictions: big, targets: [[0, 1, 0], [1, 0, 0], [0, 0, 1]], params: { from_logits: true, label_smoothing: 0.2 } }],
  ['sparse_categorical_crossentropy', { predictions: big, targets: [1, 0, 2], params: { from_logits: true } }],
  ['multi_margin', { predictions: big, targets: [1, 0, 2], params: { p: 2 } }],
  ['categorical_hinge', { predictions: big, targets: [[0, 1, 0], [1, 0, 0], [0, 0, 1]] }],
  ['nll', { predictions: big, targets: [1, 0, 2] }],
  ['log_cosh', { predictions: bigFlat, targets: [-1e4, 1e4, 0, 0, 0, 0] }],
  ['binary_cross_entropy', { predictions: [0, 1, 0, 1], targets: [1, 0, 0, 1] }],
  ['categorical_crossentropy', { predictions: [[1, 0, 0], [0, 0, 1]], targets: [[0, 1, 0], [0, 0, 1]] }],
  // Embeddings of norm 1e-150 and 1e150; triplet distances of 1e150.
  ['cosine_embedding', { input1: [[1e-150, 2e-150], [1e150, -2e150]], input2: [[3e-150, -1e-150], [2e150, 1e150]], targets: [1, -1], params: { margin: -0.5 } }],
  ['triplet_margin', { anchor: [[0, 0], [1e150, 0]], positive: [[1e150, 1e150], [1e150, 1e150]], negative: [[-1e150, 0], [0, 1e150]] }],
  ['triplet_margin_with_distance', { anchor: [[0, 0], [1e150, 0]], positive: [[1e150, 1e150], [1e150, 1e150]], negative: [[-1e150, 0], [0, 1e150]], params: { swap: true } }],
  // CTC with log-probabilities of −1e4 (near-certain frames, the target's labels among the
  // unlikely ones: alignments of probability e^−40000), and a 2,000-frame sequence of uniform
  // frames whose path probabilities (3^−2000) underflow anything but log space.
  ['ctc', { log_probs: ctcFrames(6, (t) => (t % 2 === 0 ? [0, -1e4, -1e4] : [-1e4, -1e4, 0])), targets: [[1, 2]], input_lengths: [6], target_lengths: [2] }],
  ['ctc', { log_probs: ctcFrames(2000, () => [-Math.log(3), -Math.log(3), -Math.log(3)]), targets: [[1, 2, 1, 1]], input_lengths: [2000], target_lengths: [4] }],
  ['margin_ranking', { input1: bigFlat, input2: [-1e4, 1e4, 1e4, 0, 0, 0], targets: [1, -1, 1, -1, 1, -1] }],
  ['gaussian_nll', { predictions: bigFlat, targets: [0, 0, 0, 0, 0, 0], var: [0, 1e-300, 1e300, 1, 1e4, 0] }],
  ['multilabel_soft_margin', { predictions: big, targets: [[0, 1, 0], [0.5, 0.5, 0], [0, 0, 1]] }],
];

describe('finite values and gradients at extreme inputs', () => {
  test.each(cases)('%s %j', async (loss, payload) => {
    for (const reduction of ['mean', 'sum']) {
      const res = await post({ loss, reduction, ...payload });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(Number.isFinite(body.value)).toBe(true);
      for (const v of flatten(body.per_sample).data) expect(Number.isFinite(v)).toBe(true);
      const gradients = body.gradients === undefined ? [body.gradient] : Object.values(body.gradients);
      for (const g of gradients) for (const v of flatten(g).data) expect(Number.isFinite(v)).toBe(true);
    }
  });
});

test('logistic at margin -1e4 is the margin itself, where PyTorch 1.13 overflows', async () => {
  const body = (await post({ loss: 'logistic', predictions: [-1e4], targets: [1], reduction: 'sum' })).json();
  expect(body.value).toBe(1e4);
  expect(body.gradient).toEqual([-1]);
});

test("binary_cross_entropy follows PyTorch's clamp and backward at p = 0 and p = 1", async () => {
  // Golden README, interpretation 11: at p = 0, t = 1 the gradient is -1/max(0, ε) with
  // ε = float32(1e-12), i.e. -1.0000000039958e12; the value is the clamp, 100.
  const body = (await post({ loss: 'binary_cross_entropy', predictions: [0, 1], targets: [1, 1], reduction: 'sum' })).json();
  expect(body.per_sample).toEqual([100, 0]);
  expect(body.gradient[0] / -1.0000000039958e12).toBeCloseTo(1, 12);
  expect(body.gradient[1]).toBe(0);
});

test('a value that overflows float64 is refused with 422, naming where', async () => {
  const res = await post({ loss: 'exponential', predictions: [1, -800], targets: [1, 1] });
  expect(res.statusCode).toBe(422);
  expect(res.json()).toMatchObject({ code: 'result_not_finite', field: 'per_sample', index: 1 });
});

describe('FP32 predictions get float32 outputs: a result float64 holds but float32 does not is a 422, not ∞', () => {
  // poisson_nll with log input: e^100 ≈ 2.7e43 is a float64 but past float32's 3.4e38.
  const infer = (outputs: string[], n = 40) => {
    const x = new Float32Array(n).fill(1);
    x[n - 3] = 100;
    const { payload, headers } = inferRequest(
      [
        { name: 'predictions', shape: [n], datatype: 'FP32', data: x, binary: true },
        { name: 'targets', shape: [n], datatype: 'FP32', data: new Float32Array(n), binary: true },
      ],
      { parameters: { binary_data_output: true, reduction: 'sum' }, outputs: outputs.map((name) => ({ name })) },
    );
    return app.inject({ method: 'POST', url: '/v2/models/poisson_nll/infer', payload, headers });
  };
  test.each([
    [['value'], 'value', undefined],
    [['value', 'per_sample'], 'per_sample', 37],
  ] as const)('outputs %j: 422 naming %s', async (outputs, field, index) => {
    const res = await infer([...outputs]);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toContain(`${index === undefined ? field : `${field}[${index}]`} overflows float32`);
  });
  test('the gradient (found while the SIMD kernel writes it), with a value float32 holds', async () => {
    // kl_div with log targets: ℓ = e^t·(t − x) is 0 at x = t = 90, its gradient −e^90 ≈ −1.2e39.
    const x = new Float32Array(4096);
    const t = new Float32Array(4096);
    x[4000] = t[4000] = 90;
    const { payload, headers } = inferRequest(
      [
        { name: 'predictions', shape: [4096], datatype: 'FP32', data: x, binary: true },
        { name: 'targets', shape: [4096], datatype: 'FP32', data: t, binary: true },
      ],
      { parameters: { binary_data_output: true, reduction: 'sum', log_target: true }, outputs: [{ name: 'value' }, { name: 'gradient' }] },
    );
    const res = await app.inject({ method: 'POST', url: '/v2/models/kl_div/infer', payload, headers });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toContain('gradient[4000] overflows float32');
  });
});
