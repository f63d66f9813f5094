// CORS: only configured origins get CORS headers.
import { describe, expect, test } from 'vitest';
import { buildTestApp } from '../support/testApp.ts';

const small = { loss: 'mse', predictions: [1, 2], targets: [1, 3] };

describe('CORS', () => {
  test('only configured origins get CORS headers', async () => {
    const app = await buildTestApp({ workers: 1, corsOrigins: ['https://notebook.example'] });
    const allowed = await app.inject({ method: 'OPTIONS', url: '/loss', headers: { origin: 'https://notebook.example', 'access-control-request-method': 'POST' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://notebook.example');
    const other = await app.inject({ method: 'POST', url: '/loss', payload: small, headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
    const none = await buildTestApp({ workers: 1 });
    const res = await none.inject({ method: 'POST', url: '/loss', payload: small, headers: { origin: 'https://notebook.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await none.close();
  });
});
