// Answers too large for one JavaScript string (V8's end at 2^29 characters) are streamed in
// pieces: the same text as JSON.stringify, of any length.
import http from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { jsonTensorPieces, MIN_CHUNK_CHARS, streamPieces } from '../../src/response/encodeJsonTensor.ts';
import { tensorText } from '../../src/response/numberText.ts';
import { buildTestApp, startService, type RunningService } from '../support/testApp.ts';

test('streamed pieces join to exactly the text of JSON.stringify, for ranks 1 to 3 and ragged last pieces', () => {
  for (const shape of [[1], [7], [70_001], [3, 5], [40_000, 3], [2, 3, 4], [9_999, 7, 2]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float64Array.from({ length: n }, (_, i) => Math.sin(i) / 3);
    expect([...jsonTensorPieces(data, shape)].join(''), String(shape)).toBe(tensorText(data, shape));
  }
});

let service: RunningService;
beforeAll(async () => {
  service = await startService({ WORKERS: '2' });
});
afterAll(() => service.stop());

test('a streamed answer leaves in chunks of at least 64 KiB (but the last), never in frames of a few bytes', async () => {
  const data = Float64Array.from({ length: 200_000 }, (_, i) => Math.cos(i));
  const pieces = ['{"a":', ...jsonTensorPieces(data, [100_000, 2]), ',"b":', '1', '}'];
  const chunks: string[] = [];
  for await (const chunk of streamPieces(pieces)) chunks.push(chunk.toString());
  expect(chunks.join('')).toBe(pieces.join(''));
  expect(chunks.length).toBeGreaterThan(1);
  for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(MIN_CHUNK_CHARS);
});

test('a valid request whose answer (33.6M numbers, over 2^29 characters) exceeds one string: 200, streamed', async () => {
  // cross_entropy over [3.36M, 10] small-integer logits: a 70 MiB body; per_sample and gradient
  // are 36.9M numbers of ~20 characters each.
  const rows = 3_355_443;
  const row = '[1,2,3,0,1,2,3,0,1,2]';
  const body = `{"loss":"cross_entropy","predictions":[${Array(rows).fill(row).join(',')}],"targets":[${Array(rows).fill('3').join(',')}],"include":["per_sample","gradient"]}`;
  const { status, bytes, head, tail } = await new Promise<{ status: number; bytes: number; head: string; tail: string }>((resolve, reject) => {
    const req = http.request(`${service.url}/loss`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let bytes = 0;
      let head = '';
      let tail = '';
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (head.length < 200) head += c.toString();
        tail = (tail + c.toString()).slice(-200);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, head, tail }));
    });
    req.on('error', reject);
    req.end(body);
  });
  expect(status, head).toBe(200);
  expect(bytes).toBeGreaterThan(2 ** 29);
  expect(head).toMatch(/^\{"loss":"cross_entropy","reduction":"mean","value":[\d.]+,"denominator":3355443,"precision":"float64","params":\{.*\},"per_sample":\[/);
  expect(tail).toMatch(/\]\]\}$/);
  expect(service.child.exitCode).toBeNull();
}, 180_000);

test('a v2 JSON answer past the streaming threshold is the same JSON, written in pieces', async () => {
  const app = await buildTestApp({ workers: 1 });
  const n = 70_000; // per_sample and gradient: 140,000 numbers, past STREAM_NUMBERS
  const predictions = Array.from({ length: n }, (_, i) => Math.sin(i));
  const res = await app.inject({
    method: 'POST',
    url: '/v2/models/mse/infer',
    payload: {
      id: 'req-7',
      inputs: [
        { name: 'predictions', shape: [n], datatype: 'FP64', data: predictions },
        { name: 'targets', shape: [n], datatype: 'FP64', data: Array(n).fill(0.5) },
      ],
    },
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers['transfer-encoding']).toBe('chunked'); // streamed, no Content-Length
  const answer = res.json();
  expect(answer).toMatchObject({ model_name: 'mse', model_version: '1', id: 'req-7', parameters: { reduction: 'mean', denominator: n } });
  const gradient = answer.outputs.find((o: { name: string }) => o.name === 'gradient');
  expect(gradient.data).toHaveLength(n);
  expect(gradient.data[12_345]).toBe((2 * (predictions[12_345] - 0.5)) / n);
  await app.close();
});
