// The requests real Open Inference Protocol clients send, as they send them (paths, headers,
// compression, bodies): Triton's tritonclient.http and KServe's InferenceRESTClient. Each case
// was a failure of these clients against the service before.
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../support/testApp.ts';
import { parseInferResponse } from '../../load/support/v2client.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

/** A binary infer body as tritonclient builds it: JSON header, then each input's bytes. */
function tritonBody(outputsBinary: boolean) {
  const preds = new Float64Array([0.5, 1.5, -1, 2]);
  const targets = new Float64Array([1, 1, 0, 2]);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: 'predictions', shape: [4], datatype: 'FP64', parameters: { binary_data_size: 32 } },
        { name: 'targets', shape: [4], datatype: 'FP64', parameters: { binary_data_size: 32 } },
      ],
      outputs: [{ name: 'value', parameters: { binary_data: outputsBinary } }, { name: 'gradient', parameters: { binary_data: outputsBinary } }],
    }),
  );
  return { header, body: Buffer.concat([header, Buffer.from(preds.buffer), Buffer.from(targets.buffer)]) };
}

test("tritonclient get_model_config: GET /v2/models/{m}/config in Triton's model configuration", async () => {
  const res = await app.inject({ method: 'GET', url: '/v2/models/mse/config' });
  expect(res.statusCode).toBe(200);
  const config = res.json();
  expect(config).toMatchObject({ name: 'mse', max_batch_size: 0, platform: 'lossservice_pytorch', backend: 'lossservice' });
  expect(config.input[0]).toEqual({ name: 'predictions', data_type: 'TYPE_FP64', dims: [-1], optional: false });
  expect(config.output.map((o: { name: string }) => o.name)).toEqual(['value', 'per_sample', 'gradient', 'parameters_gradient']);
  expect((await app.inject({ method: 'GET', url: '/v2/models/mse/versions/1/config' })).json()).toEqual(config);
});

for (const [algorithm, compress] of [
  ['gzip', zlib.gzipSync],
  ['deflate', zlib.deflateSync],
] as const) {
  test(`tritonclient request_compression_algorithm="${algorithm}": the body compressed, the header length uncompressed`, async () => {
    const { header, body } = tritonBody(true);
    const res = await app.inject({
      method: 'POST',
      url: '/v2/models/mse/infer',
      payload: compress(body),
      headers: { 'content-encoding': algorithm, 'inference-header-content-length': String(header.length) },
    });
    expect(res.statusCode, res.body).toBe(200);
    // tritonclient's walk: the outputs in the header's order, each binary chunk after the last.
    const { json, outputs } = parseInferResponse(res.rawPayload, res.headers);
    expect(json.outputs.find((o: { name: string }) => o.name === 'value')).toMatchObject({ parameters: { binary_data_size: 8 } });
    expect(outputs.get('value')!.data).toEqual([(0.25 + 0.25 + 1 + 0) / 4]);
  });
}

test('tritonclient response_compression_algorithm="gzip": Accept-Encoding gzip gets a gzip answer', async () => {
  const { header, body } = tritonBody(false);
  const preds = Array.from({ length: 500 }, (_, i) => Math.sin(i));
  const big = {
    inputs: [
      { name: 'predictions', shape: [500], datatype: 'FP64', data: preds },
      { name: 'targets', shape: [500], datatype: 'FP64', data: preds.map((p) => p / 2) },
    ],
  };
  const res = await app.inject({ method: 'POST', url: '/v2/models/mse/infer', payload: big, headers: { 'accept-encoding': 'gzip' } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-encoding']).toBe('gzip');
  expect(JSON.parse(zlib.gunzipSync(res.rawPayload).toString()).outputs.map((o: { name: string }) => o.name)).toEqual(['value', 'per_sample', 'gradient']);
  // A small answer is not worth compressing.
  const small = await app.inject({ method: 'POST', url: '/v2/models/mse/infer', payload: body, headers: { 'accept-encoding': 'gzip', 'inference-header-content-length': String(header.length) } });
  expect(small.statusCode).toBe(200);
  expect(small.headers['content-encoding']).toBeUndefined();
});

test('an empty [0] tensor: reduction sum answers 0 (as PyTorch), mean stays a 400', async () => {
  const header = (reduction: string) =>
    Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'predictions', shape: [0], datatype: 'FP32', parameters: { binary_data_size: 0 } },
          { name: 'targets', shape: [0], datatype: 'FP32', parameters: { binary_data_size: 0 } },
        ],
        parameters: { reduction, binary_data_output: true },
      }),
    );
  const sum = header('sum');
  const res = await app.inject({ method: 'POST', url: '/v2/models/mse/infer', payload: sum, headers: { 'inference-header-content-length': String(sum.length) } });
  expect(res.statusCode, res.body).toBe(200);
  const length = Number(res.headers['inference-header-content-length']);
  const answer = JSON.parse(res.rawPayload.subarray(0, length).toString());
  expect(answer.outputs.find((o: { name: string }) => o.name === 'gradient')).toMatchObject({ shape: [0], parameters: { binary_data_size: 0 } });
  expect(res.rawPayload.readFloatLE(length)).toBe(0);
  const mean = header('mean');
  const refused = await app.inject({ method: 'POST', url: '/v2/models/mse/infer', payload: mean, headers: { 'inference-header-content-length': String(mean.length) } });
  expect(refused.statusCode).toBe(400);
  expect(refused.json().error).toMatch(/empty/);
});

test("KServe InferenceRESTClient is_server_live / is_server_ready: JSON bodies {live} and {ready}", async () => {
  for (const [url, key] of [['/v2/health/live', 'live'], ['/v2/health/ready', 'ready']] as const) {
    const res = await app.inject({ method: 'GET', url });
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()[key]).toBe(true);
  }
});

test("KServe reads an error's text only when Content-Type is exactly application/json", async () => {
  for (const [method, url] of [['GET', '/v2/models/nope'], ['POST', '/v2/models/mse/infer'], ['GET', '/v2/nowhere']] as const) {
    const res = await app.inject({ method, url, payload: method === 'POST' ? '{"inputs": 3}' : undefined, headers: method === 'POST' ? { 'content-type': 'application/json' } : {} });
    expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
    expect(res.headers['content-type'], url).toBe('application/json');
    expect(typeof res.json().error).toBe('string');
  }
});

test('the protocol text\'s paths: GET /v2/ as /v2, POST /v2/repository/index, GET /v2/models/stats', async () => {
  const slash = await app.inject({ method: 'GET', url: '/v2/' });
  expect(slash.statusCode).toBe(200);
  expect(slash.json()).toEqual((await app.inject({ method: 'GET', url: '/v2' })).json());
  const index = await app.inject({ method: 'POST', url: '/v2/repository/index' });
  expect(index.statusCode).toBe(200);
  expect(index.json()).toContainEqual({ name: 'cross_entropy', version: '1', state: 'READY' });
  await app.inject({ method: 'POST', url: '/v2/models/mse/infer', payload: tritonBody(true).body, headers: { 'inference-header-content-length': String(tritonBody(true).header.length) } });
  const stats = (await app.inject({ method: 'GET', url: '/v2/models/mse/stats' })).json();
  expect(stats.model_stats[0]).toMatchObject({ name: 'mse', version: '1' });
  expect(stats.model_stats[0].inference_stats.success.count).toBeGreaterThanOrEqual(1);
  expect((await app.inject({ method: 'GET', url: '/v2/models/stats' })).json().model_stats.length).toBeGreaterThan(20);
});

test('request Content-Encoding on POST /loss too; an unknown coding is 415 naming it; a bomb is 413 in bounded memory', async () => {
  const body = Buffer.from(JSON.stringify({ loss: 'mse', predictions: [1, 2], targets: [1, 3] }));
  for (const [coding, compress] of [['gzip', zlib.gzipSync], ['deflate', zlib.deflateSync], ['br', zlib.brotliCompressSync], ['zstd', zlib.zstdCompressSync]] as const) {
    const res = await app.inject({ method: 'POST', url: '/loss', payload: compress(body), headers: { 'content-type': 'application/json', 'content-encoding': coding } });
    expect(res.json().value, coding).toBe(0.5);
  }
  const unknown = await app.inject({ method: 'POST', url: '/loss', payload: body, headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });
  expect(unknown.statusCode).toBe(415);
  expect(unknown.json().detail).toContain('"compress"');
  // 320 MiB of spaces in 320 KiB of gzip, against a 32 MiB JSON limit: refused once 32 MiB have
  // been inflated, never the whole of it in memory.
  const bomb = zlib.gzipSync(Buffer.alloc(320 << 20, 32), { level: 1 });
  const limited = await buildTestApp({ workers: 1, bodyLimit: 32 << 20 });
  const before = process.memoryUsage().rss;
  const refused = await limited.inject({ method: 'POST', url: '/loss', payload: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
  expect(refused.statusCode).toBe(413);
  expect(refused.json().detail).toMatch(/BODY_LIMIT/);
  expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
  await limited.close();
}, 60_000);
