// GET /losses serves every loss of the spec (test/fixtures/spec/losses.md: its PyTorch tables, Parts
// 1 and 2, and its Keras table, Part 3; sklearn.md: Part 4), generated from the same declarations
// as the kernels.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { includeGiven } from './support/golden.ts';
import { findLoss } from '../src/losses/registry.ts';

const spec = readFileSync(new URL('./fixtures/spec/losses.md', import.meta.url), 'utf8');
/** First-column names of the spec's tables: "| `mse` |", "| `l1` (alias `mae`) |", or Keras's
 *  "| `keras.huber` | Huber |" (the class name is the alias, `keras.Huber`). */
const specLosses = [...spec.matchAll(/^\| `([a-z_0-9.]+)`(?: \(alias `([a-z_0-9]+)`\))? \|(?: ([A-Z][A-Za-z]+) \|)?/gm)]
  .map((m) => ({ name: m[1], alias: m[2] ?? (m[1].startsWith('keras.') ? `keras.${m[3]}` : undefined) }));

/** Part 4's first column: "| `sklearn.log_loss` |", several names in one cell too. */
const sklearnSpec = readFileSync(new URL('./fixtures/spec/sklearn.md', import.meta.url), 'utf8');
const sklearnNames = [...sklearnSpec.matchAll(/^\| (`sklearn\.[a-z_0-9]+`(?:, `sklearn\.[a-z_0-9]+`)*) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((n) => n[1]));

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
});
afterAll(() => app.close());

test("the spec's tables are read: names, each once", () => {
  expect(specLosses.length).toBeGreaterThan(0);
  expect(new Set(specLosses.map((l) => l.name)).size).toBe(specLosses.length);
});

test("Part 4's table is read: scikit-learn's 20 functions", () => {
  expect(sklearnNames).toHaveLength(20);
  expect(sklearnNames).toContain('sklearn.mean_tweedie_deviance');
});

test('GET /losses lists every loss of Parts 1-3, with its aliases and library names, and scikit-learn\'s of Part 4 as sklearn.<function>', async () => {
  const { losses } = (await app.inject({ method: 'GET', url: '/losses' })).json() as { losses: { name: string; aliases: string[]; library_names: string[] }[] };
  const names = losses.map((l) => l.name);
  expect(names.filter((n) => !n.startsWith('sklearn.')).sort()).toEqual(specLosses.map((l) => l.name).sort());
  // Part 4: every one of its functions, and nothing else, by both names.
  const sklearn = losses.filter((l) => l.name.startsWith('sklearn.'));
  expect(sklearn.map((l) => l.name).sort()).toEqual([...sklearnNames].sort());
  for (const l of sklearn) {
    expect(l.library_names).toEqual([l.name.replace(/^sklearn\./, 'sklearn.metrics.')]);
  }
  for (const { name, alias } of specLosses) {
    const entry = losses.find((l) => l.name === name)!;
    if (alias) expect([...entry.aliases, ...entry.library_names]).toContain(alias);
  }
});

test('GET /losses/{name} gives formula, parameters with defaults and ranges, and resolves aliases', async () => {
  const q = (await app.inject({ method: 'GET', url: '/losses/pinball' })).json();
  expect(q).toMatchObject({ name: 'quantile', formula: expect.stringContaining('max'), reductions: ['mean', 'sum', 'none'] });
  expect(q.parameters).toEqual([expect.objectContaining({ name: 'q', type: 'number', default: 0.5, range: '(0, 1)' })]);
  const kl = (await app.inject({ method: 'GET', url: '/losses/kl_div' })).json();
  expect(kl.reductions).toEqual(['mean', 'sum', 'batchmean', 'none']);
  const mm = (await app.inject({ method: 'GET', url: '/losses/multi_margin' })).json();
  expect(mm.parameters.find((p: { name: string }) => p.name === 'p')).toMatchObject({ default: 1, range: '1 | 2' });
});

test('GET /losses/{unknown} is a 404 problem that names the closest losses', async () => {
  const res = await app.inject({ method: 'GET', url: '/losses/cross_entropie' });
  expect(res.statusCode).toBe(404);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().detail).toMatch(/did you mean cross_entropy\b/);
  expect((await app.inject({ method: 'GET', url: '/losses/CrossEntropyLoss' })).json().name).toBe('cross_entropy');
});

test("every loss's catalog example computes with status 200", async () => {
  const { losses } = (await app.inject({ method: 'GET', url: '/losses' })).json() as { losses: { example: Record<string, unknown> }[] };
  for (const { example } of losses) {
    const include = includeGiven(findLoss(String(example.loss))!, example.params);
    const res = await app.inject({ method: 'POST', url: '/loss', payload: { ...example, include } });
    expect(res.statusCode, `${example.loss}: ${res.body}`).toBe(200);
  }
});
