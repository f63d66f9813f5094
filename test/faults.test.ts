// Faults the service survives: a deadline overrun, a worker that dies mid-task, overload.
import { describe, expect, test } from 'vitest';
import { buildTestApp } from './support/testApp.ts';
import { bigCrossEntropy } from './support/bigRequests.ts';
import { classificationData, v2BinaryBody } from '../load/support/bodies.ts';

const small = { loss: 'mse', predictions: [1, 2, 3], targets: [1, 2, 4] };

describe('deadline', () => {
  test('a request over the deadline gets 504, and requests are answered again by the worker that replaces the stopped one', async () => {
    const app = await buildTestApp({ workers: 1, inlineThreshold: 0, requestDeadlineMs: 100 });
    await app.lossPool.ready;
    // 1M x 10 FP32 cross_entropy with its gradient: about 250 ms of kernel time on these machines.
    const { logits, labels } = classificationData(1_000_000, 10);
    const { body, headers } = v2BinaryBody([
      { name: 'predictions', shape: [1_000_000, 10], datatype: 'FP32', data: logits },
      { name: 'targets', shape: [1_000_000], datatype: 'INT64', data: labels },
    ]);
    const res = await app.inject({ method: 'POST', url: '/v2/models/cross_entropy/infer', payload: body, headers });
    expect(res.statusCode, res.body).toBe(504);
    expect(res.json().error).toContain('100 ms deadline');
    // The stopped worker is replaced: pooled requests (threshold 0) are answered again once it is
    // up (those sent while it starts may themselves meet the 100 ms deadline, which counts the wait).
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) status = (await app.inject({ method: 'POST', url: '/loss', payload: small })).statusCode;
    expect(status).toBe(200);
    expect(app.lossPool.stats.timedOut).toBeGreaterThanOrEqual(1);
    await app.close();
  });
});

describe('worker faults', () => {
  test('a worker killed mid-request: that request 500, the next 100 requests 200', async () => {
    const app = await buildTestApp({ workers: 1, inlineThreshold: 0 });
    await app.lossPool.ready;
    const pending = app.inject({ method: 'POST', url: '/loss', payload: bigCrossEntropy(400_000) });
    // Wait until the task is running in the worker (the body is decoded first), then kill it.
    for (let i = 0; i < 400 && app.lossPool.utilization === 0 && app.lossPool.stats.pooled === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    await app.lossPool.workerThreads()[0].terminate();
    const res = await pending;
    expect(res.statusCode, res.body).toBe(500);
    const problem = res.json();
    expect(problem).toMatchObject({ code: 'internal', status: 500 });
    expect(problem.detail).not.toMatch(/\/work\/|node_modules|at \w+ \(/);
    const codes: number[] = [];
    for (let i = 0; i < 100; i++) codes.push((await app.inject({ method: 'POST', url: '/loss', payload: small })).statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(100);
    expect(app.lossPool.stats.workerFailures).toBe(1);
    await app.close();
  });
});

describe('overload', () => {
  test('at 4× the pool capacity: 503 with Retry-After for the excess, no timeouts, RSS bounded', async () => {
    // Capacity: 1 worker + 2 queued = 3 tasks at a time; send 12 at once. Binary bodies decode in
    // ~2 ms and compute in ~50 ms, so all 12 reach the pool while the first still runs.
    const app = await buildTestApp({ workers: 1, inlineThreshold: 0, maxQueue: 2 });
    await app.lossPool.ready;
    const { logits, labels } = classificationData(200_000, 10);
    const { body, headers } = v2BinaryBody([
      { name: 'predictions', shape: [200_000, 10], datatype: 'FP32', data: logits },
      { name: 'targets', shape: [200_000], datatype: 'INT64', data: labels },
    ]);
    const rssBefore = process.memoryUsage().rss;
    const responses = await Promise.all(Array.from({ length: 12 }, () => app.inject({ method: 'POST', url: '/v2/models/cross_entropy/infer', payload: body, headers })));
    const rssAfter = process.memoryUsage().rss;
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.every((s) => s === 200 || s === 503), statuses.join(',')).toBe(true);
    const shed = responses.filter((r) => r.statusCode === 503);
    expect(shed.length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    for (const r of shed) {
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json().error).toContain('queue is full');
    }
    // 12 requests of 8.8 MB bodies: bounded well below what 12 unshed computations would hold.
    expect(rssAfter - rssBefore).toBeLessThan(512 * 2 ** 20);
    await app.close();
  });
});
