// GET /metrics: Prometheus text with requests by route, loss and status, and the pool's figures.
import { describe, expect, test } from 'vitest';
import { buildTestApp } from './support/testApp.ts';

const small = { loss: 'mse', predictions: [1, 2], targets: [1, 3] };

describe('metrics', () => {
  test('Prometheus text with requests by route, loss and status, and the pool figures', async () => {
    const app = await buildTestApp({ workers: 1 });
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
