// scikit-learn itself against the service on random requests (test/support/sklearn_random_cases.py:
// every sklearn.* function, shapes, string/boolean/numeric labels, weights and parameters drawn
// at random, answered by Debian's scikit-learn 1.2.1): where scikit-learn answers, the service
// answers the same value (1e-12 relative; a list exactly where scikit-learn returns an array);
// where scikit-learn answers NaN or ±inf, a 422; where it refuses, a 400.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';

const run = promisify(execFile);
const COUNT = Number(process.env.SKLEARN_RANDOM_CASES ?? 1500);

interface RandomCase {
  body: Record<string, unknown>;
  sklearn: { value: (number | null)[]; vector: boolean } | { error: string };
}

let app: FastifyInstance;
let cases: RandomCase[];
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
  const { stdout } = await run('/usr/bin/python3', [new URL('./support/sklearn_random_cases.py', import.meta.url).pathname, '20261208', String(COUNT)], { maxBuffer: 1 << 28 });
  cases = JSON.parse(stdout);
}, 120_000);
afterAll(() => app.close());

/** Why the service's answer is not scikit-learn's, or null. */
function disagreement(c: RandomCase, status: number, answer: { value?: number | number[]; detail?: string }): string | null {
  const sk = c.sklearn;
  if ('error' in sk) return status === 400 ? null : `scikit-learn refuses (${sk.error}), the service answers ${status}`;
  if (sk.value.some((v) => v === null)) return status === 422 ? null : `scikit-learn answers NaN or ±inf, the service ${status}`;
  if (status !== 200) return `scikit-learn answers ${JSON.stringify(sk.value)}, the service ${status}: ${answer.detail}`;
  if (Array.isArray(answer.value) !== sk.vector) return `scikit-learn's value is ${sk.vector ? 'an array' : 'a number'}, the service's ${JSON.stringify(answer.value)}`;
  const got = Array.isArray(answer.value) ? answer.value : [answer.value as number];
  const off = got.findIndex((v, i) => !(Math.abs(v - sk.value[i]!) <= 1e-12 * Math.max(1, Math.abs(sk.value[i]!))));
  return got.length === sk.value.length && off < 0 ? null : `value ${JSON.stringify(got)} where scikit-learn has ${JSON.stringify(sk.value)}`;
}

test(`random requests of every sklearn.* function answer as scikit-learn does (${COUNT}, values and refusals)`, async () => {
  const off: string[] = [];
  const seen = new Map<string, { values: number; refusals: number }>();
  for (const c of cases) {
    const res = await app.inject({ method: 'POST', url: '/loss', payload: c.body });
    const why = disagreement(c, res.statusCode, res.json());
    if (why !== null) off.push(`${JSON.stringify(c.body).slice(0, 300)}: ${why}`);
    const tally = seen.get(String(c.body.loss)) ?? { values: 0, refusals: 0 };
    if ('error' in c.sklearn) tally.refusals++;
    else tally.values++;
    seen.set(String(c.body.loss), tally);
  }
  expect(off).toEqual([]);
  // Every function drawn and answered; refusals among them.
  expect(seen.size).toBe(20);
  for (const [loss, t] of seen) expect(t.values, loss).toBeGreaterThan(4);
  const refusals = [...seen.values()].reduce((n, t) => n + t.refusals, 0);
  expect(refusals).toBeGreaterThan(COUNT / 10);
  console.log(`${COUNT} random requests: ${COUNT - refusals} answered, ${refusals} refused, as scikit-learn did`);
}, 120_000);
