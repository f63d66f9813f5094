// The v2 routes besides the golden cases: metadata, health, malformed binary bodies (always a
// 4xx with {"error"}, never a 500 or a hang), and the zero-copy path of binary tensors.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { decodeInferRequest, parseInferHeader } from '../src/validation/decodeInferRequest.ts';
import { MemoryBudget } from '../src/transport/memoryBudget.ts';
import type { ReadInferOptions } from '../src/http/v2/readInferBody.ts';

/** readInferBody's options for a chunked body under a 1 MiB limit and a 64 MiB budget. */
const readOptions = (headerLength: number): ReadInferOptions => ({
  headerLength,
  contentLength: null,
  binaryLimit: 1 << 20,
  jsonLimit: 1 << 20,
  budget: new MemoryBudget(64 << 20),
  hold: () => undefined,
  parseInWorker: () => Promise.reject(new Error('no worker in this test')),
});
import { prepareLossTask } from '../src/validation/prepareLossTask.ts';
import { findLoss } from '../src/losses/registry.ts';
import { encodeTensor, inferRequest, parseInferResponse } from '../load/support/v2client.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1, inlineThreshold: 0, binaryBodyLimit: 1 << 20, bodyLimit: 4096 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

const infer = (model: string, payload: Buffer, headers: Record<string, string>) => app.inject({ method: 'POST', url: `/v2/models/${model}/infer`, payload, headers });

/** A valid binary mse request: predictions FP32 [2, 2], targets FP32 [2, 2]. */
function binaryMse() {
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: 'predictions', shape: [2, 2], datatype: 'FP32', parameters: { binary_data_size: 16 } },
        { name: 'targets', shape: [2, 2], datatype: 'FP32', parameters: { binary_data_size: 16 } },
      ],
    }),
  );
  return { header, chunks: [encodeTensor([1, 2, 3, 4], 'FP32'), encodeTensor([1, 2, 3, 5], 'FP32')] };
}

function expectV2Error(res: Awaited<ReturnType<typeof infer>>, status: number, ...mentions: string[]) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  for (const m of mentions) expect(body.error).toContain(m);
  return body.error as string;
}

describe('metadata and health', () => {
  test('server metadata lists the binary_tensor_data and parameters extensions', async () => {
    const body = (await app.inject({ method: 'GET', url: '/v2' })).json();
    expect(body.extensions).toEqual(expect.arrayContaining(['binary_tensor_data', 'parameters']));
  });

  test('live and ready answer 200 with the protocol\'s bodies, as KServe\'s client reads them', async () => {
    const bodies: Record<string, unknown> = {
      '/v2/health/live': { live: true },
      '/v2/health/ready': { ready: true },
      '/v2/models/mse/ready': { name: 'mse', ready: true },
      '/v2/models/mse/versions/1/ready': { name: 'mse', ready: true },
    };
    for (const [url, body] of Object.entries(bodies)) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.json()).toEqual(body);
    }
  });

  test('model metadata names the inputs each loss takes and the four outputs', async () => {
    const bce = (await app.inject({ method: 'GET', url: '/v2/models/bce_with_logits' })).json();
    expect(bce.inputs.map((i: { name: string }) => i.name)).toEqual(['predictions', 'targets', 'weight', 'pos_weight', 'parameters']);
    expect(bce.outputs.map((o: { name: string }) => o.name)).toEqual(['value', 'per_sample', 'gradient', 'parameters_gradient']);
    const mse = (await app.inject({ method: 'GET', url: '/v2/models/mse/versions/1' })).json();
    expect(mse.inputs.map((i: { name: string }) => i.name)).toEqual(['predictions', 'targets', 'parameters']);
  });

  test('model metadata says what each tensor accepts beyond its one declared datatype and shape', async () => {
    const ce = (await app.inject({ method: 'GET', url: '/v2/models/cross_entropy' })).json();
    expect(ce.inputs[0]).toEqual({ name: 'predictions', datatype: 'FP64', shape: [-1, -1] });
    expect(ce.inputs[1]).toEqual({ name: 'targets', datatype: 'INT64', shape: [-1] });
    expect(ce.parameters['predictions.accepts']).toMatch(/FP32 or FP64; shape \[N, C\]/);
    expect(ce.parameters['targets.accepts']).toMatch(/class indices .* or probabilities/);
    const mse = (await app.inject({ method: 'GET', url: '/v2/models/mse' })).json();
    expect(mse.parameters['predictions.accepts']).toMatch(/any rank from 1 to 8/);
    // Each request the metadata describes is one the model takes: FP32 rank-2 predictions here.
    const { payload, headers } = inferRequest([
      { name: 'predictions', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4], binary: true },
      { name: 'targets', shape: [2, 2], datatype: 'INT64', data: [1, 2, 3, 5], binary: true },
    ]);
    expect((await app.inject({ method: 'POST', url: '/v2/models/mse/infer', payload, headers })).statusCode).toBe(200);
  });

  test('model metadata of the inputs by name: ctc\'s integer lengths, gaussian_nll\'s per-row var, keras.*\'s optional sample_weight', async () => {
    const ctc = (await app.inject({ method: 'GET', url: '/v2/models/ctc' })).json();
    expect(ctc.inputs.slice(0, 4)).toEqual([
      { name: 'log_probs', datatype: 'FP64', shape: [-1, -1, -1] },
      { name: 'targets', datatype: 'INT64', shape: [-1, -1] },
      { name: 'input_lengths', datatype: 'INT64', shape: [-1] },
      { name: 'target_lengths', datatype: 'INT64', shape: [-1] },
    ]);
    expect(ctc.outputs.map((o: { name: string }) => o.name)).toEqual(['value', 'per_sample', 'gradient', 'parameters_gradient']);
    const triplet = (await app.inject({ method: 'GET', url: '/v2/models/triplet_margin' })).json();
    expect(triplet.outputs.map((o: { name: string }) => o.name)).toEqual(['value', 'per_sample', 'gradient_anchor', 'gradient_positive', 'gradient_negative', 'parameters_gradient']);
    const gaussian = (await app.inject({ method: 'GET', url: '/v2/models/gaussian_nll' })).json();
    expect(gaussian.parameters['var.accepts']).toMatch(/one value per row/);
    const keras = (await app.inject({ method: 'GET', url: '/v2/models/keras.sparse_categorical_crossentropy' })).json();
    expect(keras.inputs.slice(0, 3)).toEqual([
      { name: 'predictions', datatype: 'FP64', shape: [-1, -1] },
      { name: 'targets', datatype: 'INT64', shape: [-1] },
      { name: 'sample_weight', datatype: 'FP64', shape: [-1] },
    ]);
    const config = (await app.inject({ method: 'GET', url: '/v2/models/keras.sparse_categorical_crossentropy/config' })).json();
    expect(config.input.filter((i: { optional: boolean }) => i.optional).map((i: { name: string }) => i.name)).toEqual(['sample_weight', 'parameters']);
    expect(keras.parameters['outputs.reduction_none']).toMatch(/per_sample alone/);
  });

  test('unknown models and versions are 404 with {"error"}', async () => {
    expectV2Error(await app.inject({ method: 'GET', url: '/v2/models/nope' }), 404, 'unknown model "nope"');
    expectV2Error(await app.inject({ method: 'GET', url: '/v2/models/MSELos' }), 404, 'did you mean MSELoss?');
    expectV2Error(await app.inject({ method: 'GET', url: '/v2/models/mse/versions/7' }), 404, 'version');
    expectV2Error(await infer('nope', Buffer.from('{}'), { 'content-type': 'application/json' }), 404, 'nope');
  });
});

describe('requests', () => {
  test('the versioned infer path, the request id echoed, selected outputs only, flat or nested JSON data', async () => {
    const { payload, headers } = inferRequest(
      [
        { name: 'predictions', shape: [2, 2], datatype: 'FP64', data: [1, 2, 3, 4], binary: false },
        { name: 'targets', shape: [2, 2], datatype: 'FP64', data: [1, 2, 3, 5], binary: false },
      ],
      { id: 'req-7', parameters: { reduction: 'sum' }, outputs: [{ name: 'gradient' }] },
    );
    const res = await app.inject({ method: 'POST', url: '/v2/models/mse/versions/1/infer', payload, headers });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: 'req-7', model_name: 'mse', model_version: '1' });
    expect(body.outputs).toEqual([{ name: 'gradient', shape: [2, 2], datatype: 'FP64', data: [0, 0, 0, -2] }]);
  });

  test('binary outputs on request by output, mixed with JSON ones', async () => {
    const { header, chunks } = binaryMse();
    const json = JSON.parse(header.toString());
    json.outputs = [{ name: 'value' }, { name: 'gradient', parameters: { binary_data: true } }];
    const h = Buffer.from(JSON.stringify(json));
    const res = await infer('mse', Buffer.concat([h, ...chunks]), { 'inference-header-content-length': String(h.length) });
    expect(res.statusCode, res.body).toBe(200);
    const { json: out, outputs } = parseInferResponse(res.rawPayload, res.headers);
    expect(out.outputs[0]).toMatchObject({ name: 'value', data: [0.25] });
    expect(outputs.get('gradient')!.data).toEqual([0, 0, 0, -0.5]);
  });

  test('BOOL and INT32 targets', async () => {
    const { payload, headers } = inferRequest([
      { name: 'predictions', shape: [3], datatype: 'FP32', data: [2, -1, 0.5], binary: true },
      { name: 'targets', shape: [3], datatype: 'BOOL', data: [1, 0, 1], binary: true },
    ]);
    expect((await infer('bce_with_logits', payload, headers)).statusCode).toBe(200);
    const ce = inferRequest([
      { name: 'predictions', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6], binary: true },
      { name: 'targets', shape: [2], datatype: 'INT32', data: [2, 0], binary: true },
    ]);
    expect((await infer('cross_entropy', ce.payload, ce.headers)).statusCode).toBe(200);
  });
});

describe('malformed bodies get 400 with {"error"}', () => {
  test('no body at all', async () => {
    expectV2Error(await app.inject({ method: 'POST', url: '/v2/models/mse/infer' }), 400, 'empty');
  });

  test('a truncated chunk', async () => {
    const { header, chunks } = binaryMse();
    const body = Buffer.concat([header, chunks[0], chunks[1].subarray(0, 10)]);
    expectV2Error(await infer('mse', body, { 'inference-header-content-length': String(header.length) }), 400, 'truncated', '26 bytes', '32');
  });

  test('chunk sizes that do not add up to the body (extra bytes)', async () => {
    const { header, chunks } = binaryMse();
    const body = Buffer.concat([header, ...chunks, Buffer.alloc(3)]);
    expectV2Error(await infer('mse', body, { 'inference-header-content-length': String(header.length) }), 400, 'binary_data_size');
  });

  test('a header length that cuts the JSON, or runs past the body', async () => {
    const { header, chunks } = binaryMse();
    const body = Buffer.concat([header, ...chunks]);
    expectV2Error(await infer('mse', body, { 'inference-header-content-length': String(header.length - 5) }), 400, 'JSON');
    expectV2Error(await infer('mse', body, { 'inference-header-content-length': String(body.length + 10) }), 400, 'Inference-Header-Content-Length');
    expectV2Error(await infer('mse', body, { 'inference-header-content-length': 'abc' }), 400, 'Inference-Header-Content-Length');
    expectV2Error(await infer('mse', body, { 'inference-header-content-length': '0' }), 400, 'raw binary');
  });

  test('binary_data_size that disagrees with shape × datatype', async () => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'predictions', shape: [2, 2], datatype: 'FP64', parameters: { binary_data_size: 16 } },
          { name: 'targets', shape: [2, 2], datatype: 'FP32', parameters: { binary_data_size: 16 } },
        ],
      }),
    );
    const body = Buffer.concat([header, Buffer.alloc(32)]);
    expectV2Error(await infer('mse', body, { 'inference-header-content-length': String(header.length) }), 400, "'predictions'", '32');
  });

  test.each([
    ['NaN', 'FP32', NaN],
    ['+Infinity', 'FP64', Infinity],
    ['-Infinity', 'FP32', -Infinity],
  ] as const)('%s in a binary tensor, naming the tensor and the element', async (_l, datatype, bad) => {
    const { payload, headers } = inferRequest([
      { name: 'predictions', shape: [2, 2], datatype, data: [1, 2, 3, 4], binary: true },
      { name: 'targets', shape: [2, 2], datatype, data: [1, 2, bad, 4], binary: true },
    ]);
    expectV2Error(await infer('mse', payload, headers), 400, "'targets'", 'element 2');
  });

  test('a datatype the input does not take, an unknown input, a missing input, shape vs data count', async () => {
    const mk = (inputs: object[]) => Buffer.from(JSON.stringify({ inputs }));
    const p = { name: 'predictions', shape: [2], datatype: 'FP64', data: [1, 2] };
    const t = { name: 'targets', shape: [2], datatype: 'FP64', data: [1, 2] };
    const json = { 'content-type': 'application/json' };
    expectV2Error(await infer('mse', mk([{ ...p, datatype: 'INT64' }, t]), json), 400, 'INT64', "'predictions'");
    expectV2Error(await infer('mse', mk([p, t, { ...t, name: 'bias' }]), json), 400, 'bias: mse takes the inputs predictions, targets, parameters');
    expectV2Error(await infer('mse', mk([p, { ...t, name: 'target' }]), json), 400, 'target: did you mean targets?');
    expectV2Error(await infer('mse', mk([p]), json), 400, 'targets');
    expectV2Error(await infer('mse', mk([{ ...p, shape: [3] }, t]), json), 400, '3');
    expectV2Error(await infer('mse', mk([p, t]).subarray(0, 20), json), 400, 'JSON');
  });

  test('loss parameters come from the request parameters and are checked', async () => {
    const body = (params: object) =>
      Buffer.from(JSON.stringify({ parameters: params, inputs: [{ name: 'predictions', shape: [1], datatype: 'FP64', data: [1] }, { name: 'targets', shape: [1], datatype: 'FP64', data: [1] }] }));
    const json = { 'content-type': 'application/json' };
    expect((await infer('huber', body({ delta: 2, reduction: 'sum' }), json)).statusCode).toBe(200);
    expectV2Error(await infer('huber', body({ delta: -1 }), json), 400, 'delta');
    expectV2Error(await infer('huber', body({ deltaa: 1 }), json), 400, 'deltaa');
    expectV2Error(await infer('mse', body({ reduction: 'batchmean' }), json), 400, 'reduction');
    expectV2Error(await infer('mse', body({ l1: 0.1 }), json), 400, 'parameters');
  });

  test('bodies over the limits are 413 naming the limit', async () => {
    const big = Buffer.alloc(5000, 32);
    expectV2Error(await infer('mse', big, { 'content-type': 'application/json' }), 413, '4096');
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'predictions', shape: [1 << 19], datatype: 'FP32', parameters: { binary_data_size: 1 << 21 } }] }));
    expectV2Error(await infer('mse', Buffer.concat([header, Buffer.alloc(1 << 21)]), { 'inference-header-content-length': String(header.length) }), 413, String(1 << 20));
  });
});

test('binary inputs are viewed in place (no copy) and moved to the worker (no copy)', async () => {
  const { header, chunks } = binaryMse();
  const parsed = parseInferHeader(JSON.parse(header.toString()));
  const own = chunks.map((c) => new Uint8Array(c)); // as readInferBody allocates them: own buffers
  const decoded = decodeInferRequest(findLoss('mse')!, { header: parsed, chunks: own });
  expect(decoded.parts.predictions.data.buffer).toBe(own[0].buffer); // a view, not a copy
  expect(decoded.parts.targets.data.buffer).toBe(own[1].buffer);
  const task = prepareLossTask(decoded.parts);
  const result = await app.lossPool.runInWorker(task);
  expect(own[0].buffer.byteLength).toBe(0); // transferred to the worker: detached here
  expect(own[1].buffer.byteLength).toBe(0);
  expect(result.value).toBe(0.25);
  expect(result.gradient).toBeInstanceOf(Float32Array); // outputs in the predictions' datatype
});

describe('readInferBody on a stream without Content-Length (chunked transfer)', async () => {
  const { Readable } = await import('node:stream');
  const { readInferBody } = await import('../src/http/v2/readInferBody.ts');
  const read = (parts: Buffer[], headerLength: number) => readInferBody(Readable.from(parts), readOptions(headerLength));

  test('chunks split anywhere, even inside the header, reassemble exactly', async () => {
    const { header, chunks } = binaryMse();
    const whole = Buffer.concat([header, ...chunks]);
    const pieces = [whole.subarray(0, 7), whole.subarray(7, header.length + 3), whole.subarray(header.length + 3, header.length + 20), whole.subarray(header.length + 20)];
    const body = await read(pieces, header.length);
    expect(body.chunks.map((c) => Buffer.from(c).toString('hex'))).toEqual(chunks.map((c) => c.toString('hex')));
    expect(body.chunks.every((c) => c.byteOffset === 0)).toBe(true); // own, aligned buffers
  });

  test('a truncated chunk, and extra bytes', async () => {
    const { header, chunks } = binaryMse();
    await expect(read([header, chunks[0], chunks[1].subarray(0, 9)], header.length)).rejects.toThrow(/truncated.*32.*25/);
    await expect(read([header, ...chunks, Buffer.alloc(1)], header.length)).rejects.toThrow(/extra bytes/);
    await expect(read([header.subarray(0, 10)], header.length)).rejects.toThrow(/inside the .*JSON header/);
  });
});

test('a client that disconnects mid-body: the read settles (no request left pending)', async () => {
  const { PassThrough } = await import('node:stream');
  const { readInferBody } = await import('../src/http/v2/readInferBody.ts');
  const { header, chunks } = binaryMse();
  const stream = new PassThrough();
  const reading = readInferBody(stream, readOptions(header.length));
  stream.write(Buffer.concat([header, chunks[0]]));
  stream.destroy();
  await expect(reading).rejects.toThrow(/closed the connection/);
});
