// API keys, rate limit, CORS, no internals in responses, metrics.
import { describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

const small = { loss: 'mse', predictions: [1, 2], targets: [1, 3] };

describe('API keys', () => {
  test('with keys set: 401 without or with a wrong key, 200 with one; probes and docs stay open', async () => {
    const app = await buildApp({ logger: false, workers: 1, apiKeys: ['k-one', 'k-two'] });
    const none = await app.inject({ method: 'POST', url: '/loss', payload: small });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toMatchObject({ code: 'unauthorized' });
    const wrong = await app.inject({ method: 'POST', url: '/loss', payload: small, headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const v2 = await app.inject({ method: 'GET', url: '/v2/models/mse' });
    expect(v2.statusCode).toBe(401);
    expect(Object.keys(v2.json())).toEqual(['error']);
    const ok = await app.inject({ method: 'POST', url: '/loss', payload: small, headers: { authorization: 'Bearer k-two' } });
    expect(ok.statusCode).toBe(200);
    for (const url of ['/healthz', '/v2/health/live', '/openapi.json']) expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    await app.close();
  });
});

describe('rate limit', () => {
  test('past the limit: 429 with Retry-After; probes are not limited', async () => {
    const app = await buildApp({ logger: false, workers: 1, rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.inject({ method: 'POST', url: '/loss', payload: small })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await app.inject({ method: 'POST', url: '/loss', payload: small });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('CORS', () => {
  test('only configured origins get CORS headers', async () => {
    const app = await buildApp({ logger: false, workers: 1, corsOrigins: ['https://notebook.example'] });
    const allowed = await app.inject({ method: 'OPTIONS', url: '/loss', headers: { origin: 'https://notebook.example', 'access-control-request-method': 'POST' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://notebook.example');
    const other = await app.inject({ method: 'POST', url: '/loss', payload: small, headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
    const none = await buildApp({ logger: false, workers: 1 });
    const res = await none.inject({ method: 'POST', url: '/loss', payload: small, headers: { origin: 'https://notebook.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await none.close();
  });
});

describe('metrics', () => {
  test('Prometheus text with requests by route, loss and status, and the pool figures', async () => {
    const app = await buildApp({ logger: false, workers: 1 });
    await app.lossPool.ready;
    await app.inject({ method: 'POST', url: '/loss', payload: small });
    await app.inject({ method: 'POST', url: '/loss', payload: { ...small, loss: 'not-a-loss' } });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/loss_http_requests_total\{method="POST",route="\/loss",loss="mse",status="200"\} 1/);
    expect(text).toMatch(/loss_http_requests_total\{method="POST",route="\/loss",loss="",status="400"\} 1/);
    expect(text).toMatch(/loss_http_request_duration_seconds_bucket\{le="0\.5",method="POST",route="\/loss",loss="mse",status="200"\} 1/);
    for (const name of ['loss_pool_utilization', 'loss_pool_queue_depth', 'loss_pool_threads 1', 'loss_requests_timed_out_total 0', 'loss_worker_failures_total 0', 'loss_requests_queue_full_total 0']) {
      expect(text).toContain(name);
    }
    await app.close();
  });
});

describe('configuration', () => {
  test('each bad value is one line naming the variable', () => {
    const bad = loadConfig({ PORT: 'http', WORKERS: '0', LOG_LEVEL: 'loud', REQUEST_DEADLINE_MS: '-5' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors).toHaveLength(4);
      for (const v of ['PORT', 'WORKERS', 'LOG_LEVEL', 'REQUEST_DEADLINE_MS']) expect(bad.errors.some((e) => e.startsWith(`invalid ${v}=`))).toBe(true);
    }
    const good = loadConfig({ API_KEYS: 'a, b ,', CORS_ORIGINS: '*' });
    expect(good.ok && good.config.API_KEYS).toEqual(['a', 'b']);
  });
});
