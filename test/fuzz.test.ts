// Fuzz: fast-check generates well-formed and malformed requests for every route (requests shaped
// by the catalog's declarations, mutated bodies, odd headers, broken binary framing). Every answer
// must be 2xx or 4xx with the route's error body: no 5xx, no hang.
// CI runs FUZZ_RUNS=2000 inputs (the default); `npm run fuzz` runs 10,000.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { losses, lossNames } from '../src/losses/registry.ts';
import { paramProperties, vectorParams } from '../src/losses/describeParams.ts';
import { tensorInputs } from '../src/losses/types.ts';
import { rng } from '../load/support/random.ts';
import { inferRequest, type V2Input } from '../load/support/v2client.ts';
import { includeGiven, nest } from './support/golden.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const share = (f: number) => Math.max(1, Math.round(RUNS * f));
let answered = 0;

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 2, inlineThreshold: 64, bodyLimit: 64 * 1024, binaryBodyLimit: 256 * 1024 });
  await app.lossPool.ready;
});
afterAll(async () => {
  await app.close();
  console.log(`fuzz: ${answered} requests answered, none 5xx, none hung`);
});

async function send(req: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within 30 s: ${req.method} ${req.url}`)), 30_000);
  });
  try {
    return await Promise.race([app.inject(req), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** 2xx, or 4xx with problem+json (REST) or {"error"} (v2). */
function checkAnswer(url: string, res: LightMyRequestResponse) {
  answered++;
  const context = `${url} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, context).toBeLessThan(500);
  expect(res.body).not.toMatch(/node_modules|\/work\/|\bat [\w.<>]+ \([^)]*:\d+:\d+\)/); // no stack traces (at f (file:line:col)) or paths
  if (res.statusCode < 400) return;
  const body = res.json();
  const path = new URL(url, 'http://localhost').pathname; // as routed: '/v2/..' is '/'
  if (path === '/v2' || path.startsWith('/v2/')) {
    expect(Object.keys(body), context).toEqual(['error']);
    expect(typeof body.error).toBe('string');
  } else {
    expect(res.headers['content-type'], context).toMatch(/^application\/problem\+json/);
    expect(body, context).toMatchObject({ status: res.statusCode, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  }
}

const interesting = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1, -1, 2, 0.5, -100, 1e-320, 1e300, -1e300, 1e4, -1e4, 709.8, -745),
  fc.integer({ min: -3, max: 6 }),
);
const junk = fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null), fc.boolean(), fc.constant({}), fc.constant([]));
const shape = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 }); // rank 0 to 4, empty dimensions included

function nested(dims: number[], leaf: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  if (dims.length === 0) return leaf;
  return fc.array(nested(dims.slice(1), leaf), { minLength: dims[0], maxLength: dims[0] });
}
const tensor = fc.oneof(
  { weight: 6, arbitrary: shape.chain((s) => nested(s, interesting)) },
  { weight: 1, arbitrary: shape.chain((s) => nested(s, fc.oneof(interesting, junk))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const paramNames = [...new Set(losses.flatMap((l) => Object.keys(paramProperties(l)))), 'zzz'];
const params = fc.dictionary(fc.constantFrom(...paramNames), fc.oneof(interesting, junk, fc.array(interesting, { maxLength: 5 })), { maxKeys: 3 });

const lossBody = fc.record(
  {
    loss: fc.oneof(fc.constantFrom(...lossNames), fc.string({ maxLength: 8 })),
    predictions: tensor,
    targets: tensor,
    params,
    reduction: fc.constantFrom('mean', 'sum', 'batchmean', 'avg'),
    include: fc.subarray(['per_sample', 'gradient', 'hessian']),
    regularization: fc.record({ l1: interesting, l2: interesting, parameters: tensor }, { requiredKeys: ['parameters'] }),
  },
  { requiredKeys: ['loss', 'predictions', 'targets'] },
);

const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'garbage');

/** Random edits of a text: truncation, a replaced character, an inserted fragment. */
const mutate = (text: string) =>
  fc.oneof(
    fc.nat(text.length).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat(Math.max(0, text.length - 1)), fc.constantFrom('"', '{', ']', ',', '\\', '\u0000', 'e', '-', '9')).map(([i, c]) => text.slice(0, i) + c + text.slice(i + 1)),
    fc.tuple(fc.nat(text.length), fc.constantFrom('__proto__', '{"constructor":{"prototype":{}}}', 'NaN', 'Infinity', '1e999', '[[[[', '-0')).map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
  );

test(`POST /loss: ${share(0.4)} requests shaped by the catalog`, async () => {
  await fc.assert(
    fc.asyncProperty(lossBody, async (body) => checkAnswer('/loss', await send({ method: 'POST', url: '/loss', payload: body as object }))),
    { numRuns: share(0.4) },
  );
});

test(`POST /loss: ${share(0.2)} mutated bodies and headers`, async () => {
  await fc.assert(
    fc.asyncProperty(
      lossBody.chain((b) => mutate(JSON.stringify(b))),
      contentTypes,
      async (text, contentType) => checkAnswer('/loss', await send({ method: 'POST', url: '/loss', payload: text, headers: { 'content-type': contentType } })),
    ),
    { numRuns: share(0.2) },
  );
});

const datatypes = fc.constantFrom('FP32', 'FP64', 'INT32', 'INT64', 'BOOL', 'FP16', 'BYTES', 'fp32');
const size = { FP32: 4, FP64: 8, INT32: 4, INT64: 8, BOOL: 1 } as Record<string, number>;
const v2Input = fc.record({
  name: fc.constantFrom('predictions', 'targets', 'weight', 'pos_weight', 'parameters', 'other'),
  shape: shape,
  datatype: datatypes,
  binary: fc.boolean(),
  sizeSkew: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -9, max: 9 }) }),
  values: fc.array(fc.oneof(interesting, fc.constantFrom(NaN, Infinity, -Infinity)), { maxLength: 32 }),
});

test(`POST /v2/models/{loss}/infer: ${share(0.25)} JSON and binary requests, well and badly framed`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...lossNames, 'nope'),
      fc.array(v2Input, { minLength: 1, maxLength: 4 }),
      fc.record({ reduction: fc.constantFrom('mean', 'sum', 'x'), binary_data_output: fc.boolean(), delta: interesting, l1: interesting }, { requiredKeys: [] }),
      fc.integer({ min: -40, max: 40 }),
      fc.boolean(),
      async (model, inputs, parameters, headerSkew, versioned) => {
        const chunks: Buffer[] = [];
        const json = {
          parameters,
          inputs: inputs.map((t) => {
            const count = t.shape.reduce((a, b) => a * b, 1);
            const data = Array.from({ length: Math.min(count, 64) }, (_, i) => t.values[i % Math.max(1, t.values.length)] ?? 0);
            if (!t.binary) return { name: t.name, shape: t.shape, datatype: t.datatype, data };
            const bytes = Buffer.alloc(Math.max(0, count * (size[t.datatype] ?? 4) + t.sizeSkew));
            if (t.datatype === 'FP32') for (let i = 0; i + 4 <= bytes.length; i += 4) bytes.writeFloatLE(t.values[(i / 4) % Math.max(1, t.values.length)] ?? 0, i);
            if (t.datatype === 'FP64') for (let i = 0; i + 8 <= bytes.length; i += 8) bytes.writeDoubleLE(t.values[(i / 8) % Math.max(1, t.values.length)] ?? 0, i);
            chunks.push(bytes);
            return { name: t.name, shape: t.shape, datatype: t.datatype, parameters: { binary_data_size: count * (size[t.datatype] ?? 4) } };
          }),
        };
        const header = Buffer.from(JSON.stringify(json));
        const binary = chunks.length > 0;
        const url = `/v2/models/${encodeURIComponent(model)}${versioned ? '/versions/1' : ''}/infer`;
        const headers: Record<string, string> = binary
          ? { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(Math.max(0, header.length + headerSkew)) }
          : { 'content-type': 'application/json' };
        checkAnswer(url, await send({ method: 'POST', url, payload: Buffer.concat([header, ...chunks]), headers }));
      },
    ),
    { numRuns: share(0.25) },
  );
});

// Shapes built to exhaust memory or the stack: deep nesting anywhere, literals past float64's
// range, announced header lengths far past the body or the limits.
const deep = fc.integer({ min: 20, max: 20_000 }).map((d) => `${'['.repeat(d)}1${']'.repeat(d)}`);
const hostileLiteral = fc.constantFrom('1e400', '-1e999', '123456789e999', '0e-99999', `1${'0'.repeat(400)}`);
test(`hostile shapes: ${share(0.1)} deep, huge and mis-announced bodies on /loss and v2`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...lossNames),
      fc.oneof(deep, hostileLiteral.map((x) => `[${x}]`), fc.constant('[1]')),
      fc.constantFrom('predictions', 'targets', 'params', 'data'),
      fc.oneof(fc.constant(null), fc.constantFrom('1000000000000', '9007199254740993', '99999999999999999999', '0', '-1', '1e3')),
      async (model, tensor, where, headerLength) => {
        const lossBody = `{"loss":"${model}","predictions":${where === 'predictions' ? tensor : '[1,2]'},"targets":${where === 'targets' ? tensor : '[1,0]'}${where === 'params' ? `,"params":{"x":${tensor}}` : ''}}`;
        checkAnswer('/loss', await send({ method: 'POST', url: '/loss', payload: lossBody, headers: { 'content-type': 'application/json' } }));
        const v2Body = `{"inputs":[{"name":"predictions","shape":[2],"datatype":"FP64","data":${where === 'data' ? tensor : '[1,2]'}},{"name":"targets","shape":[2],"datatype":"FP64","data":[1,0]}]}`;
        const url = `/v2/models/${model}/infer`;
        const headers: Record<string, string> = headerLength === null ? { 'content-type': 'application/json' } : { 'content-type': 'application/octet-stream', 'inference-header-content-length': headerLength };
        checkAnswer(url, await send({ method: 'POST', url, payload: v2Body, headers }));
      },
    ),
    { numRuns: share(0.1) },
  );
});

test(`every other route: ${share(0.15)} GETs and stray methods with random path segments`, async () => {
  const segment = fc.oneof(fc.constantFrom(...lossNames, 'constructor', '__proto__', '..', '%00', '%E0%A4%A', 'ready', 'versions'), fc.string({ maxLength: 10 }).map(encodeURIComponent));
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/losses/', '/problems/', '/v2/models/', '/v2/models/mse/versions/', '/v2/health/', '/', '/docs/', '/v2/'),
      segment,
      fc.constantFrom('', '/ready', '/infer', '?x=1'),
      fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD'),
      async (prefix, seg, suffix, method) => {
        const url = `${prefix}${seg}${suffix}`;
        const res = await send({ method: method as 'GET', url });
        if (method === 'HEAD' || url.startsWith('/docs')) {
          answered++;
          expect(res.statusCode, url).toBeLessThan(500);
        } else checkAnswer(url, res);
      },
    ),
    { numRuns: share(0.15) },
  );
});

// Requests built from each loss's declaration: its sample (LossDefinition.sample) sent as is, which
// must be answered 200 on both routes, or with one edit (an element, a shape, a missing input, a
// bare number for a tensor, a parameter), which must be answered 200 or 4xx.
const edits = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('element' as const), input: fc.nat(), at: fc.nat(), value: fc.oneof(interesting, fc.constantFrom(0.5, -1, 1e9, 2 ** 53 + 2)) }),
  fc.record({ kind: fc.constant('shape' as const), input: fc.nat(), how: fc.constantFrom('drop-last', 'add-one', 'shorter', 'transpose') }),
  fc.record({ kind: fc.constant('missing' as const), input: fc.nat() }),
  // A class label where a number was: scikit-learn's label inputs take it, every other input refuses it.
  fc.record({ kind: fc.constant('element' as const), input: fc.nat(), at: fc.nat(), value: fc.constantFrom<number | string | boolean>('spam', '', 'é', 'NaN', '__proto__', true, false) }),
  fc.record({ kind: fc.constant('bare' as const), input: fc.nat(), value: interesting }),
  fc.record({ kind: fc.constant('param' as const), name: fc.constantFrom(...paramNames), value: fc.oneof(interesting, junk, fc.array(interesting, { maxLength: 5 })) }),
);
type Edit = typeof edits extends fc.Arbitrary<infer E> ? E : never;

function edited(def: (typeof losses)[number], seed: number, edit: Edit): { inputs: Record<string, { data: number[]; shape: number[] } | undefined>; params: Record<string, unknown> } {
  const sample = def.demo.sample(rng(seed));
  const inputs: Record<string, { data: number[]; shape: number[] } | undefined> = { ...sample.inputs };
  const params = { ...sample.params };
  const names = Object.keys(inputs);
  if (edit.kind === 'param') params[edit.name] = edit.value;
  if (!('input' in edit)) return { inputs, params };
  const name = names[edit.input % names.length];
  const t = inputs[name]!;
  if (edit.kind === 'missing') inputs[name] = undefined;
  else if (edit.kind === 'bare') inputs[name] = { data: [edit.value], shape: [] };
  // (A label edit puts a string or boolean among the numbers: typed as numbers, sent as it is.)
  else if (edit.kind === 'element' && t.data.length > 0) inputs[name] = { ...t, data: t.data.map((v, i) => (i === edit.at % t.data.length ? edit.value : v)) as number[] };
  else if (edit.kind === 'shape') {
    const s = t.shape;
    if (edit.how === 'drop-last' && s.length > 0) inputs[name] = { data: t.data.slice(0, t.data.length / (s[s.length - 1] || 1)), shape: s.slice(0, -1) };
    if (edit.how === 'add-one') inputs[name] = { data: t.data, shape: [...s, 1] };
    if (edit.how === 'shorter' && s.length > 0 && s[0] > 0) inputs[name] = { data: t.data.slice(0, t.data.length - t.data.length / s[0]), shape: [s[0] - 1, ...s.slice(1)] };
    if (edit.how === 'transpose' && s.length >= 2) inputs[name] = { data: t.data, shape: [s[1], s[0], ...s.slice(2)] };
  }
  return { inputs, params };
}

test(`declared inputs: ${share(0.3)} samples of every loss, as is or with one edit, through POST /loss and v2 JSON and binary`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...losses), fc.integer({ min: 1, max: 1e6 }), edits, fc.boolean(), async (def, seed, edit, binary) => {
      const { inputs, params } = edited(def, seed, edit);
      const present = Object.entries(inputs).filter((e): e is [string, { data: number[]; shape: number[] }] => e[1] !== undefined);
      const body = { loss: def.name, ...Object.fromEntries(present.map(([n, t]) => [n, nest(t.data, t.shape)])), params, include: includeGiven(def, params) };
      const rest = await send({ method: 'POST', url: '/loss', payload: body });
      checkAnswer('/loss', rest);
      if (edit.kind === 'none') expect(rest.statusCode, rest.body).toBe(200);

      // v2: vector parameters travel as inputs; integer inputs as INT64 (as the metadata declares).
      const vectors = vectorParams(def);
      const declared = tensorInputs(def);
      // Tensors holding a label travel as BYTES (a string among them) or BOOL (booleans).
      const labelType = (data: unknown[]) => (data.some((v) => typeof v === 'string') ? 'BYTES' : data.some((v) => typeof v === 'boolean') ? 'BOOL' : null);
      const v2Inputs: V2Input[] = present.map(([n, t]) => {
        const labels = labelType(t.data);
        if (labels === 'BYTES') return { name: n, shape: t.shape, datatype: 'BYTES', data: t.data.map(String), binary };
        if (labels === 'BOOL') return { name: n, shape: t.shape, datatype: 'BOOL', data: t.data.map(Boolean), binary };
        return { name: n, shape: t.shape, datatype: declared.some((i) => i.name === n && i.integer) && t.data.every(Number.isSafeInteger) ? 'INT64' : 'FP64', data: t.data, binary };
      });
      const scalars: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(params)) {
        if (vectors.includes(k) && Array.isArray(v) && v.every((x) => typeof x === 'number')) v2Inputs.push({ name: k, shape: [v.length], datatype: 'FP64', data: v as number[], binary });
        else scalars[k] = v;
      }
      const { payload, headers } = inferRequest(v2Inputs, { parameters: scalars });
      const url = `/v2/models/${def.name}/infer`;
      const v2 = await send({ method: 'POST', url, payload, headers });
      checkAnswer(url, v2);
      if (edit.kind === 'none') expect(v2.statusCode, v2.body).toBe(200);
    }),
    { numRuns: share(0.3) },
  );
});
