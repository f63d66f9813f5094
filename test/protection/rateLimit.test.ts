// Rate limit: 429 with Retry-After past the limit; the probes are never limited.
import { describe, expect, test } from 'vitest';
import { buildTestApp } from '../support/testApp.ts';

const small = { loss: 'mse', predictions: [1, 2], targets: [1, 3] };

describe('rate limit', () => {
  test('past the limit: 429 with Retry-After; probes are not limited', async () => {
    const app = await buildTestApp({ workers: 1, rateLimitMax: 3, rateLimitWindowMs: 60_000 });
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
