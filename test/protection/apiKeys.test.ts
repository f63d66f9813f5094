// API keys: 401 without or with a wrong key (problem+json, and {"error"} on /v2), 200 with one;
// the probes and the documentation stay open.
import { describe, expect, test } from 'vitest';
import { buildTestApp } from '../support/testApp.ts';

const small = { loss: 'mse', predictions: [1, 2], targets: [1, 3] };

describe('API keys', () => {
  test('with keys set: 401 without or with a wrong key, 200 with one; probes and docs stay open', async () => {
    const app = await buildTestApp({ workers: 1, apiKeys: ['k-one', 'k-two'] });
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
