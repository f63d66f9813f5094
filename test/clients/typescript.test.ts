// The typed TypeScript client (clients/typescript/) is what openapi-typescript makes of the
// committed document, and it calls a started service for POST /loss and the v2 routes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLossClient, LossServiceError } from '../../clients/typescript/index.ts';
import { startService, type RunningService } from '../support/testApp.ts';

let service: RunningService;
beforeAll(async () => {
  service = await startService({ WORKERS: '1', API_KEYS: 'k-test' });
});
afterAll(() => service.stop());

test('clients/typescript/schema.ts is generated from the committed document (npm run client:typescript)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'client-')), 'schema.ts');
  const bin = fileURLToPath(new URL('../../node_modules/.bin/openapi-typescript', import.meta.url));
  execFileSync(bin, [fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url)), '-o', out], { stdio: 'ignore' });
  expect(readFileSync(out, 'utf8')).toBe(readFileSync(new URL('../../clients/typescript/schema.ts', import.meta.url), 'utf8'));
});

test('POST /loss: a typed answer, and a typed problem for a refusal', async () => {
  const client = createLossClient(service.url, { apiKey: 'k-test' });
  const { data, error } = await client.POST('/loss', { body: { loss: 'mse', predictions: [1, 2, 3], targets: [1, 2, 5], include: ['gradient'] } });
  expect(error).toBeUndefined();
  expect(data?.value).toBe(4 / 3);
  expect(data?.gradient).toEqual([0, 0, -4 / 3]);
  const refused = await client.POST('/loss', { body: { loss: 'mse', predictions: [1, 2], targets: [1] } });
  expect(refused.response.status).toBe(400);
  expect(refused.error).toMatchObject({ code: 'shape_mismatch', field: 'targets' });
  const unauthorized = await createLossClient(service.url).POST('/loss', { body: { loss: 'mse', predictions: [1], targets: [1] } });
  expect(unauthorized.response.status).toBe(401);
});

test('v2: model config, infer (JSON), and the health body', async () => {
  const client = createLossClient(service.url, { apiKey: 'k-test' });
  const config = await client.GET('/v2/models/{model}/config', { params: { path: { model: 'mse' } } });
  expect(config.data).toMatchObject({ name: 'mse', max_batch_size: 0 });
  const infer = await client.POST('/v2/models/{model}/infer', {
    params: { path: { model: 'mse' } },
    body: {
      inputs: [
        { name: 'predictions', shape: [3], datatype: 'FP64', data: [1, 2, 3] },
        { name: 'targets', shape: [3], datatype: 'FP64', data: [1, 2, 5] },
      ],
      outputs: [{ name: 'value' }],
    },
  });
  expect(infer.data?.outputs[0]).toMatchObject({ name: 'value', data: [4 / 3] });
  const live = await client.GET('/v2/health/live');
  expect(live.data).toEqual({ live: true });
});

test('loss(name, inputs): each loss by its own input names, typed per loss; a refusal is a LossServiceError', async () => {
  const client = createLossClient(service.url, { apiKey: 'k-test' });
  const triplet = await client.loss('triplet_margin', {
    anchor: [[0, 0]],
    positive: [[3, 4]],
    negative: [[0, 1]],
    params: { margin: 1 },
    include: ['gradient'],
  });
  // max(||a − p + 1e-6|| − ||a − n + 1e-6|| + 1, 0) = 5 − 1 + 1, to the eps
  expect(triplet.value).toBeCloseTo(5, 5);
  expect(Object.keys(triplet.gradients ?? {}).sort()).toEqual(['anchor', 'negative', 'positive']);
  const nll = await client.loss('gaussian_nll', { predictions: [1, 2], targets: [1, 4], var: [1, 2] });
  expect(nll.value).toBeCloseTo((0.5 * (0 + 0) + 0.5 * (Math.log(2) + 4 / 2)) / 2, 14);
  const keras = await client.loss('keras.binary_crossentropy', { targets: [[1, 0]], predictions: [[0.5, 0.5]], sample_weight: [2] });
  expect(keras.value).toBeCloseTo(2 * Math.log(2), 6);
  // scikit-learn's labels as strings: ['ham', 'spam'] sorted, so the column of 'spam' is 1.
  const logLoss = await client.loss('sklearn.log_loss', { targets: ['spam', 'ham'], predictions: [[0.2, 0.8], [0.6, 0.4]] });
  expect(logLoss.value).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 14);
  const error = await client.loss('mse', { predictions: [1, 2], targets: [1] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LossServiceError);
  expect(error).toMatchObject({ status: 400, code: 'shape_mismatch', field: 'targets' });
  // Typed per loss (tsc checks this file): another loss's input names do not compile.
  // @ts-expect-error triplet_margin takes anchor, positive and negative
  const wrong = () => client.loss('triplet_margin', { predictions: [1], targets: [1] });
  expect(typeof wrong).toBe('function');
  const check = await client.check('mse', { predictions: [1, 2], targets: [0, 0], yours: { value: 5 } });
  expect(check.verdict).toBe('explained');
});
