// Secrets never reach a log line: API keys in the query string and the Authorization header.
import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { buildTestApp } from '../support/testApp.ts';
import { redactUrl } from '../../src/logger.ts';

test('redactUrl hides secret-looking query parameters and keeps the rest', () => {
  expect(redactUrl('/loss?api_key=abc&x=1')).toBe('/loss?api_key=[REDACTED]&x=1');
  expect(redactUrl('/v2?token=t&API-KEY=k&apikey=z&n=2')).toBe('/v2?token=[REDACTED]&API-KEY=[REDACTED]&apikey=[REDACTED]&n=2');
  expect(redactUrl('/healthz')).toBe('/healthz');
  expect(redactUrl('/x?%E0%A4%A=1')).toBe('/x?%E0%A4%A=1');
});

test('no log line holds the query key or the bearer token, at any level', async () => {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const app = await buildTestApp({ logger: { level: 'trace', stream }, workers: 1, apiKeys: ['k-123456'] });
  await app.inject({ method: 'POST', url: '/loss?api_key=s3cret-q', payload: { loss: 'mse', predictions: [1], targets: [2] }, headers: { authorization: 'Bearer k-123456' } });
  await app.inject({ method: 'GET', url: '/losses?token=s3cret-t', headers: { authorization: 'Bearer wrong-s3cret' } });
  await app.close();
  expect(text).toContain('api_key=[REDACTED]');
  expect(text).not.toMatch(/s3cret|k-123456/);
});
