// scikit-learn's conventions that the golden cases do not show by themselves: labels as strings,
// booleans and BYTES ordered as numpy orders them, sample_weight null, Python's NaN tokens, a
// vector value with a NaN element, eps "auto" following the dtype.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { inferRequest, parseInferResponse } from '../load/support/v2client.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
});
afterAll(() => app.close());

const loss = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/loss', payload });

test('string labels are ordered by code point, as np.unique orders them: the same answer as their ranks', async () => {
  // 'B' < 'a' < 'b' < 'é' by code point (localeCompare would put 'a' first).
  const words = ['é', 'B', 'a', 'b', 'a', 'B'];
  const ranks = words.map((w) => ['B', 'a', 'b', 'é'].indexOf(w));
  const p = [
    [0.1, 0.2, 0.3, 0.4],
    [0.4, 0.3, 0.2, 0.1],
    [0.25, 0.25, 0.25, 0.25],
    [0.1, 0.1, 0.7, 0.1],
    [0.2, 0.5, 0.2, 0.1],
    [0.6, 0.2, 0.1, 0.1],
  ];
  const asWords = (await loss({ loss: 'sklearn.log_loss', targets: words, predictions: p, include: ['per_sample', 'gradient'] })).json();
  const asRanks = (await loss({ loss: 'sklearn.log_loss', targets: ranks, predictions: p, include: ['per_sample', 'gradient'] })).json();
  expect(asWords.value).toBe(asRanks.value);
  expect(asWords.per_sample).toEqual(asRanks.per_sample);
  expect(asWords.gradient).toEqual(asRanks.gradient);
});

test('booleans are labels 0 and 1; sample_weight null is no weights', async () => {
  const base = { loss: 'sklearn.brier_score_loss', predictions: [0.9, 0.2, 0.6, 0.4] };
  const booleans = (await loss({ ...base, targets: [true, false, true, false] })).json();
  const numbers = (await loss({ ...base, targets: [1, 0, 1, 0], sample_weight: null })).json();
  expect(booleans.value).toBe(numbers.value);
  expect(booleans.value).toBeGreaterThan(0);
});

test('labels mixing strings and numbers, NaN and Infinity tokens: 400s naming the tensor and the element', async () => {
  const mixed = await loss({ loss: 'sklearn.zero_one_loss', targets: ['a', 1], predictions: ['a', 'b'] });
  expect(mixed.json()).toMatchObject({ status: 400, field: 'targets', index: 1 });
  for (const token of ['NaN', 'Infinity', '-Infinity']) {
    const res = await app.inject({ method: 'POST', url: '/loss', headers: { 'content-type': 'application/json' }, payload: `{"loss": "sklearn.log_loss", "targets": [0, 1, 1], "predictions": [0.2, ${token}, 0.7]}` });
    expect(res.json()).toMatchObject({ status: 400, code: 'invalid_tensor', field: 'predictions', index: 1 });
    expect(res.json().detail).toContain(token);
  }
  // A token inside a string is not one: the body is valid JSON, the label 'NaN' a label.
  const inString = await loss({ loss: 'sklearn.zero_one_loss', targets: ['NaN', 'x'], predictions: ['NaN', 'y'] });
  expect(inString.json().value).toBe(0.5);
});

test('v2: BYTES labels, binary or JSON, and a BYTES labels parameter answer as POST /loss does', async () => {
  const targets = ['spam', 'ham', 'eggs', 'spam'];
  const predictions = [0.1, 0.6, 0.3, 0.2, 0.5, 0.3, 0.3, 0.3, 0.4, 0.7, 0.2, 0.1];
  const rest = (await loss({ loss: 'sklearn.log_loss', targets, predictions: [predictions.slice(0, 3), predictions.slice(3, 6), predictions.slice(6, 9), predictions.slice(9)], params: { labels: ['eggs', 'ham', 'spam'] }, include: ['per_sample'] })).json();
  for (const binary of [false, true]) {
    const { payload, headers } = inferRequest(
      [
        { name: 'predictions', shape: [4, 3], datatype: 'FP64', data: predictions, binary },
        { name: 'targets', shape: [4], datatype: 'BYTES', data: targets, binary },
        { name: 'labels', shape: [3], datatype: 'BYTES', data: ['eggs', 'ham', 'spam'], binary },
      ],
      { parameters: binary ? { binary_data_output: true } : {} },
    );
    const res = await app.inject({ method: 'POST', url: '/v2/models/sklearn.log_loss/infer', payload, headers });
    expect(res.statusCode, res.body).toBe(200);
    const { outputs } = parseInferResponse(res.rawPayload, res.headers);
    expect(outputs.get('value')!.data).toEqual([rest.value]);
    expect(outputs.get('per_sample')!.data).toEqual(rest.per_sample);
  }
  // A BYTES element whose length runs past the data: 400 naming the input.
  const { payload, headers } = inferRequest([
    { name: 'predictions', shape: [2], datatype: 'FP64', data: [0.2, 0.7], binary: true },
    { name: 'targets', shape: [2], datatype: 'BYTES', data: new Uint8Array([1, 0, 0, 0, 97, 9, 0, 0, 0, 98]), binary: true },
  ]);
  const cut = await app.inject({ method: 'POST', url: '/v2/models/sklearn.log_loss/infer', payload, headers });
  expect(cut.statusCode).toBe(400);
  expect(cut.json().error).toMatch(/targets.*BYTES element 1/);
});

test('eps "auto" is float32\'s epsilon for FP32 predictions and float64\'s for FP64', async () => {
  const answer = async (datatype: 'FP32' | 'FP64') => {
    const { payload, headers } = inferRequest([
      { name: 'predictions', shape: [2], datatype, data: [0, 1], binary: true },
      { name: 'targets', shape: [2], datatype: 'FP64', data: [1, 0], binary: true },
    ]);
    const res = await app.inject({ method: 'POST', url: '/v2/models/sklearn.log_loss/infer', payload, headers });
    return parseInferResponse(res.rawPayload, res.headers).outputs.get('value')!.data[0];
  };
  // Both samples clipped to eps: the loss is −log eps.
  expect(await answer('FP64')).toBeCloseTo(-Math.log(2 ** -52), 10);
  expect(await answer('FP32')).toBeCloseTo(-Math.log(2 ** -23), 5);
});

test('a raw_values vector with a non-finite element is a 422 naming its index; counts are integers', async () => {
  const res = await loss({ loss: 'sklearn.r2_score', targets: [[1, 2], [2, 2], [3, 2]], predictions: [[1.5, 2], [2, 2.5], [2.5, 2]], params: { multioutput: 'raw_values', force_finite: false } });
  expect(res.json()).toMatchObject({ status: 422, field: 'value', index: 1 });
  const count = await loss({ loss: 'sklearn.zero_one_loss', targets: [1, 2, 3, 4], predictions: [1, 2, 3, 3], params: { normalize: false } });
  expect(count.body).toMatch(/"value":1,/);
});
