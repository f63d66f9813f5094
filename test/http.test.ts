// POST /loss at the transport level: content types, limits, malformed JSON and tensors, and the
// problem+json shape of every refusal.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1, bodyLimit: 4096 });
});
afterAll(() => app.close());

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/loss', payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });

function expectProblem(res: Awaited<ReturnType<typeof post>>, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json();
  expect(p).toMatchObject({ status, code, type: `/problems/${code}`, title: expect.any(String), detail: expect.any(String), request_id: expect.any(String) });
  expect(p.detail).not.toMatch(/at .*\.ts:\d+|node_modules|\/work\//); // no stack traces or paths
  return p;
}

describe('POST /loss answers', () => {
  test('value only by default; per_sample and gradient when asked; aliases resolve', async () => {
    const plain = (await post({ loss: 'mae', predictions: [1, 2], targets: [0, 4] })).json();
    expect(plain).toEqual({ loss: 'l1', reduction: 'mean', value: 1.5, denominator: 2, precision: 'float64', params: {} });
    const full = (await post({ loss: 'l1', predictions: [[1, 2]], targets: [[0, 4]], reduction: 'sum', include: ['per_sample', 'gradient'] })).json();
    expect(full).toMatchObject({ value: 3, per_sample: [[1, 2]], gradient: [[1, -1]] });
  });

  test('the answer states the parameters as the request gave them, weights that broadcast included', async () => {
    const column = (await post({ loss: 'binary_cross_entropy', predictions: [[0.2, 0.7], [0.9, 0.4]], targets: [[0, 1], [1, 0]], params: { weight: [[1], [2]] } })).json();
    expect(column.params).toEqual({ weight: [[1], [2]] });
    const scalar = (await post({ loss: 'BCEWithLogitsLoss', predictions: [0.2, -0.7], targets: [0, 1], params: { weight: 2.5, pos_weight: [3, 1] } })).json();
    expect(scalar.params).toEqual({ weight: 2.5, pos_weight: [3, 1] });
  });

  test('the answer says what the mean divided by: Σ w of the targets that are not ignored', async () => {
    const body = (await post({ loss: 'cross_entropy', predictions: [[1, 2], [3, 4], [5, 6]], targets: [0, -100, 1], params: { weight: [0.5, 2] } })).json();
    expect(body.denominator).toBe(0.5 + 2);
    const sum = (await post({ loss: 'cross_entropy', predictions: [[1, 2]], targets: [0], reduction: 'sum' })).json();
    expect(sum.denominator).toBeUndefined();
    const kl = (await post({ loss: 'kl_div', predictions: [[-1, -2], [-1, -2]], targets: [[0.5, 0.5], [0.3, 0.7]], reduction: 'batchmean' })).json();
    expect(kl.denominator).toBe(2);
  });

  test('regularization adds λ1·Σ|w| + λ2·Σw² and answers parameters_gradient in the shape of the parameters', async () => {
    const body = (await post({ loss: 'mse', predictions: [1], targets: [1], regularization: { l1: 0.5, l2: 0.25, parameters: [[2, -1], [0, 4]] } })).json();
    expect(body.value).toBe(0.5 * 7 + 0.25 * 21);
    expect(body.parameters_gradient).toEqual([[0.5 + 1, -0.5 - 0.5], [0, 0.5 + 2]]);
  });

  test("a request id is answered in x-request-id: the caller's, kept as given, else a UUID", async () => {
    const res = await post({ loss: 'mse', predictions: [1], targets: [1] }, { 'x-request-id': 'client-42' });
    expect(res.headers['x-request-id']).toBe('client-42');
    const none = await post({ loss: 'mse', predictions: [1], targets: [1] });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('POST /loss refuses', () => {
  test('an unknown loss, naming the closest names (not the ~300 accepted)', async () => {
    const p = expectProblem(await post({ loss: 'msee', predictions: [1], targets: [1] }), 400, 'unknown_loss');
    expect(p.field).toBe('loss');
    expect(p.detail).toMatch(/^unknown loss "msee"; did you mean mse\b/);
    expect(p.detail).not.toContain('cross_entropy');
    expect(p.detail.length).toBeLessThan(120);
  });

  test('a missing loss', async () => {
    const p = expectProblem(await post({ predictions: [1], targets: [1] }), 400, 'unknown_loss');
    expect(p.detail).toContain('loss is required');
  });

  test('an unknown top-level field or parameter (no silent typo)', async () => {
    expect(expectProblem(await post({ loss: 'mse', predictions: [1], targets: [1], reduce: 'sum' }), 400, 'invalid_body').detail).toContain('reduce');
    const p = expectProblem(await post({ loss: 'huber', predictions: [1], targets: [1], params: { deltaa: 2 } }), 400, 'invalid_params');
    expect(p.detail).toContain('deltaa');
  });

  test('a parameter of the wrong type', async () => {
    const p = expectProblem(await post({ loss: 'huber', predictions: [1], targets: [1], params: { delta: 'big' } }), 400, 'invalid_params');
    expect(p.field).toBe('params.delta');
  });

  test.each([
    ['ragged', { loss: 'mse', predictions: [[1, 2], [3]], targets: [[1, 2], [3, 4]] }, 'predictions', 2],
    ['ragged depth', { loss: 'mse', predictions: [[1, 2], 3], targets: [[1, 2], [3, 4]] }, 'predictions', 2],
    ['a string', { loss: 'mse', predictions: [1, 2], targets: [1, '2'] }, 'targets', 1],
    ['a null (NaN in JSON)', { loss: 'mse', predictions: [[1, 2], [3, null]], targets: [[1, 2], [3, 4]] }, 'predictions', 3],
    ['neither an array nor a number', { loss: 'mse', predictions: 'three', targets: [3] }, 'predictions', undefined],
    ['too deep', { loss: 'mse', predictions: [[[[[[[[[1]]]]]]]]], targets: [1] }, 'predictions', undefined],
  ])('a malformed tensor: %s', async (_name, body, field, index) => {
    const p = expectProblem(await post(body), 400, 'invalid_tensor');
    expect(p.field).toBe(field);
    expect(p.index).toBe(index);
  });

  test('empty tensors, as PyTorch: sum is 0 with empty outputs, a mean over nothing is refused', async () => {
    const sum = await post({ loss: 'mse', predictions: [[]], targets: [[]], reduction: 'sum', include: ['per_sample', 'gradient'] });
    expect(sum.statusCode, sum.body).toBe(200);
    expect(sum.json()).toMatchObject({ value: 0, per_sample: [[]], gradient: [[]] });
    const mean = expectProblem(await post({ loss: 'mse', predictions: [], targets: [] }), 400, 'undefined_mean');
    expect(mean.field).toBe('predictions');
    expect(mean.detail).toMatch(/empty tensor.*sum/);
  });

  test('shapes that broadcast in PyTorch', async () => {
    const p = expectProblem(await post({ loss: 'mse', predictions: [1, 2], targets: [[1], [2]] }), 400, 'shape_mismatch');
    expect(p.detail).toContain('[2, 1]');
  });

  test('a multi-class loss with predictions of a shape it does not take', async () => {
    const p = expectProblem(await post({ loss: 'multi_margin', predictions: [[[1, 2]]], targets: [0] }), 400, 'shape_mismatch');
    expect(p.field).toBe('predictions');
    expect(p.detail).toContain('[N, C] or [C]');
    // Unbatched [C] logits take a bare class index (rank 0), not [1].
    const unbatched = expectProblem(await post({ loss: 'cross_entropy', predictions: [1, 2], targets: [0] }), 400, 'shape_mismatch');
    expect(unbatched.field).toBe('targets');
    expect(unbatched.detail).toContain('[] (a bare number)');
  });

  test('a class index that is not an integer', async () => {
    const p = expectProblem(await post({ loss: 'nll', predictions: [[-1, -2]], targets: [0.5] }), 400, 'target_out_of_domain');
    expect(p.index).toBe(0);
  });

  test('ignore_index with probability targets', async () => {
    const p = expectProblem(await post({ loss: 'cross_entropy', predictions: [[1, 2]], targets: [[0, 1]], params: { ignore_index: 0 } }), 400, 'invalid_params');
    expect(p.field).toBe('params.ignore_index');
  });

  test('mean when every target is ignored; sum gives 0', async () => {
    const body = { loss: 'cross_entropy', predictions: [[1, 2], [3, 4]], targets: [-100, -100] };
    expectProblem(await post(body), 400, 'undefined_mean');
    const sum = (await post({ ...body, reduction: 'sum', include: ['gradient'] })).json();
    expect(sum).toMatchObject({ value: 0, gradient: [[0, 0], [0, 0]] });
  });

  test('negative regularization strengths', async () => {
    const p = expectProblem(await post({ loss: 'mse', predictions: [1], targets: [1], regularization: { l1: -1, parameters: [1] } }), 400, 'invalid_body');
    expect(p.field).toBe('regularization.l1');
  });

  test('invalid JSON and an empty body', async () => {
    expectProblem(await post('{"loss": "mse", '), 400, 'invalid_body');
    expectProblem(await post(''), 400, 'invalid_body');
  });

  test('prototype poisoning', async () => {
    expectProblem(await post('{"loss":"mse","predictions":[1],"targets":[1],"__proto__":{"x":1}}'), 400, 'invalid_body');
  });

  test('an unsupported content type with 415', async () => {
    const p = expectProblem(await post('loss=mse', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
    expect(p.detail).toContain('application/x-www-form-urlencoded');
  });

  test('a body over the limit with 413 naming the limit', async () => {
    const p = expectProblem(await post({ loss: 'mse', predictions: new Array(2000).fill(1), targets: new Array(2000).fill(1) }), 413, 'payload_too_large');
    expect(p.detail).toContain('4096 bytes');
  });
});

describe('ctc: lengths and labels named when they are wrong', () => {
  const logProbs = [[[-1.1, -0.4, -2.3]], [[-0.7, -1.2, -1.5]], [[-1.3, -0.9, -1.1]]];
  const request = (patch: Record<string, unknown>) => post({ loss: 'ctc', log_probs: logProbs, targets: [[1, 2]], input_lengths: [3], target_lengths: [2], ...patch });

  test('padded and concatenated targets give the same answer; unbatched [T, C] with bare lengths too', async () => {
    const padded = (await request({})).json();
    expect((await request({ targets: [1, 2] })).json().value).toBe(padded.value);
    expect((await request({ log_probs: logProbs.map((f) => f[0]), targets: [1, 2], input_lengths: 3, target_lengths: 2 })).json().value).toBe(padded.value);
  });

  test.each([
    [{ input_lengths: [2.5] }, 400, 'invalid_tensor', 'input_lengths', /must hold integers/],
    [{ params: { blank: 3 } }, 400, 'invalid_params', 'params.blank', /\[0, 3\)/],
    [{ targets: [1, 2, 2] }, 400, 'shape_mismatch', 'target_lengths', /add up to 2 but the concatenated targets hold 3/],
    [{ log_probs: 3 }, 400, 'shape_mismatch', 'log_probs', /\[T, N, C\] or \[T, C\]/],
    [{ input_lengths: 3 }, 400, 'shape_mismatch', 'input_lengths', /needs \[1\], one per sample/],
    [{ targets: [[1, 1]], input_lengths: [2] }, 422, 'result_not_finite', undefined, /no alignment.*zero_infinity/],
  ] as const)('%j → %i %s', async (patch, status, code, field, detail) => {
    const p = expectProblem(await request(patch), status, code);
    expect(p.field).toBe(field);
    expect(p.detail).toMatch(detail);
  });

  test('zero_infinity counts a sample without alignment as 0, value and gradient', async () => {
    const body = (await request({ targets: [[1, 1]], input_lengths: [2], params: { zero_infinity: true }, include: ['per_sample', 'gradient'] })).json();
    expect(body).toMatchObject({ value: 0, per_sample: [0] });
    expect(body.gradient.flat(2)).toEqual(Array(9).fill(0));
  });
});

describe('other routes', () => {
  test('unknown routes answer 404 problem+json', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/nope' }), 404, 'not_found');
  });

  test('GET /problems/{code} explains a problem type', async () => {
    const res = await app.inject({ method: 'GET', url: '/problems/shape_mismatch' });
    expect(res.json()).toMatchObject({ code: 'shape_mismatch', status: 400 });
    expectProblem(await app.inject({ method: 'GET', url: '/problems/constructor' }), 404, 'not_found');
  });

  test('healthz answers at once; readyz once the pool is up', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    await app.lossPool.ready;
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
  });
});
