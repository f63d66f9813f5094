// Every golden case of the PyTorch and Keras reference vectors through POST /loss: value, per_sample,
// gradient and parameters_gradient at the golden README's tolerances; every error case gives its
// status with a problem+json body that names the field (and the index of the first bad element).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { closeTo, errorCases, flatten, goldenCases, goldenFormats, includeOf, lossRequestBody, mismatch, valueCases } from './support/golden.ts';
import { findLoss, losses } from '../src/losses/registry.ts';

let app: FastifyInstance;
beforeAll(async () => {
  // Threshold 0 sends every request through the worker pool, the path large requests take.
  app = await buildTestApp({ workers: 2, inlineThreshold: 0 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

describe('golden value cases through POST /loss', () => {
  test.each(valueCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const res = await app.inject({ method: 'POST', url: '/loss', payload: lossRequestBody(c) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const exp = c.expected!;
    expect(body.reduction).toBe(c.reduction);
    if (exp.value === undefined) expect(body.value).toBeUndefined(); // reduction none: per_sample alone
    else if (Array.isArray(exp.value)) expect(mismatch(flatten(body.value), { shape: [exp.value.length], data: exp.value }, c.dtype), 'value (one per output)').toBeNull();
    else expect(closeTo(body.value, exp.value, c.dtype), `value ${body.value} != ${exp.value}`).toBe(true);
    if (exp.per_sample === undefined) expect(body.per_sample).toBeUndefined();
    else expect(mismatch(flatten(body.per_sample), exp.per_sample, c.dtype), 'per_sample').toBeNull();
    // One differentiable input: `gradient`; several: `gradients` by input name.
    const names = Object.keys(exp.gradients ?? {});
    if (names.length === 0 && !includeOf(c).includes('gradient')) expect(body.gradient ?? body.gradients).toBeUndefined();
    const answered = names.length === 1 ? { [names[0]]: body.gradient } : body.gradients;
    for (const name of names) expect(mismatch(flatten(answered[name]), exp.gradients![name], c.dtype), `gradient of ${name}`).toBeNull();
    if (exp.parameters_gradient) {
      expect(mismatch(flatten(body.parameters_gradient), exp.parameters_gradient, c.dtype), 'parameters_gradient').toBeNull();
    } else {
      expect(body.parameters_gradient).toBeUndefined();
    }
  });
});

describe('golden error cases through POST /loss', () => {
  test.each(errorCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const res = await app.inject({ method: 'POST', url: '/loss', payload: lossRequestBody(c) });
    expect(res.statusCode, res.body).toBe(c.expect_error);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem).toMatchObject({ status: c.expect_error, type: expect.stringMatching(/^\/problems\//), title: expect.any(String) });
    expect(problem.field, problem.detail).toBe(c.field);
    if (c.field !== undefined) expect(problem.detail).toContain(c.field);
    if (c.index !== undefined) {
      expect(problem.index, problem.detail).toBe(c.index);
      expect(problem.detail).toContain(`[${c.index}]`);
    }
  });
});

test('the fixtures are format loss-golden/2; every loss of the catalog has value cases, and every case names a loss of the catalog (or is about an unknown one)', () => {
  expect(goldenFormats).toEqual(['loss-golden/2', 'loss-golden/2', 'loss-golden/2', 'loss-golden/2']);
  for (const def of losses) expect(valueCases.some((c) => c.loss === def.name), `${def.name} has no golden value case`).toBe(true);
  for (const c of goldenCases) if (!/^unknown_|\/unknown_name\//.test(c.id)) expect(findLoss(c.loss), c.id).toBeDefined();
});
