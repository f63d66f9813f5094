// MemoryBudget: grants in order, waits briefly, refuses with 503 when busy and 413 when a
// request could never fit.
import { expect, test } from 'vitest';
import { MemoryBudget, defaultBudgetBytes, heapLimitMiB, memoryLimitBytes, type Reservation } from '../../src/transport/memoryBudget.ts';

test('grants what fits and counts it; release gives it back once', async () => {
  const budget = new MemoryBudget(100, 50);
  const a = await budget.acquire(60);
  expect(budget.stats.reserved).toBe(60);
  a.release();
  a.release();
  expect(budget.stats.reserved).toBe(0);
  expect(budget.stats.peakReserved).toBe(60);
});

test('a request that does not fit waits for a release, first come first served', async () => {
  const budget = new MemoryBudget(100, 1000);
  const a = await budget.acquire(80);
  const order: string[] = [];
  const granted = (name: string) => (r: Reservation) => {
    order.push(name);
    return r;
  };
  const b = budget.acquire(50).then(granted('b'));
  const c = budget.acquire(10).then(granted('c'));
  await new Promise((r) => setTimeout(r, 20));
  expect(order).toEqual([]); // c would fit now, but b came first
  a.release();
  await Promise.all([b, c]);
  expect(order).toEqual(['b', 'c']);
  expect(budget.stats.reserved).toBe(60);
});

test('a request still waiting after waitMs gets 503 with Retry-After', async () => {
  const budget = new MemoryBudget(100, 30);
  await budget.acquire(90);
  await expect(budget.acquire(20)).rejects.toMatchObject({ code: 'overloaded', status: 503, retryAfter: 1 });
  expect(budget.stats.refusedBusy).toBe(1);
  expect(budget.stats.waiting).toBe(0);
});

test('a request larger than the whole budget gets 413 naming the budget, without waiting', async () => {
  const budget = new MemoryBudget(64 * 2 ** 20, 10_000);
  const refused = budget.acquire(65 * 2 ** 20);
  // Settled before the event loop turns once: it never joined the wait.
  const first = await Promise.race([refused.then(() => 'admitted', () => 'refused'), new Promise((r) => setImmediate(() => r('still waiting')))]);
  expect(first).toBe('refused');
  await expect(refused).rejects.toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/64 MiB.*MEMORY_BUDGET_BYTES/) });
  expect(() => budget.acquireNow(65 * 2 ** 20)).toThrow(/MEMORY_BUDGET_BYTES/);
});

test('tryGrow and tryResize: growth only within the budget, shrinking always, waiters served on shrink', async () => {
  const budget = new MemoryBudget(100, 1000);
  const r = budget.acquireNow(40);
  expect(r.tryGrow(50)).toBe(true);
  expect(r.tryGrow(20)).toBe(false);
  expect(r.bytes).toBe(90);
  const waiting = budget.acquire(30);
  expect(r.tryResize(60)).toBe(true);
  await waiting;
  expect(budget.stats.reserved).toBe(90);
  expect(r.tryResize(80)).toBe(false);
});

test('the default budget is half the memory limit, and the heap flag covers the budget', () => {
  const limit = memoryLimitBytes();
  expect(limit).toBeGreaterThan(0);
  expect(defaultBudgetBytes(4 * 2 ** 30)).toBe(2 * 2 ** 30);
  expect(heapLimitMiB(2 * 2 ** 30)).toBe(2048 + 256);
});
