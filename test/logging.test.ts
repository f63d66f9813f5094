// Logs are pino JSON, and every line of a request carries its request id.
import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { buildTestApp } from './support/testApp.ts';

test('request log lines are JSON with request_id; a refusal is logged with its code, and its answer holds no internals', async () => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  const app = await buildTestApp({ logger: { level: 'info', stream }, workers: 1 });
  await app.inject({ method: 'POST', url: '/loss', payload: { loss: 'mse', predictions: [1], targets: [2] }, headers: { 'x-request-id': 'req-1' } });
  const refused = await app.inject({ method: 'POST', url: '/loss', payload: { loss: 'mse', predictions: [1], targets: [1, 2] }, headers: { 'x-request-id': 'req-2' } });
  expect(refused.statusCode).toBe(400);
  expect(refused.body).not.toMatch(/node_modules|\/work\/|\bat [\w.<>]+ \(|\.ts:\d+/);
  expect(refused.json().request_id).toBe('req-2');
  await app.close();
  const mine = lines.filter((l) => l.request_id === 'req-1' || l.request_id === 'req-2');
  expect(mine.length).toBeGreaterThanOrEqual(4); // incoming + completed for each, plus the refusal
  const refusal = lines.find((l) => l.request_id === 'req-2' && l.code === 'shape_mismatch');
  expect(refusal).toBeDefined();
  for (const l of lines.filter((l) => 'req' in l || 'res' in l)) expect(l.request_id).toBeDefined();
});
