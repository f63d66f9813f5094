// Pictures: valid SVG for every loss, and the drawn points are the kernels' values.
// (Drawing every loss runs kernels on this thread, which is the app's: delay shedding is off.)
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { losses } from '../src/losses/registry.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
});
afterAll(() => app.close());

const get = (url: string) => app.inject({ method: 'GET', url });

/** The drawn series of a chart, mapped back from pixels to values with the plot area's data-* mapping. */
function drawnSeries(svg: string): Map<string, [number, number][]> {
  const g = /<g [^>]*data-x-domain="([^"]+)" data-y-domain="([^"]+)" data-x-range="([^"]+)" data-y-range="([^"]+)"/.exec(svg);
  expect(g).not.toBeNull();
  const [xd0, xd1, yd0, yd1, xr0, xr1, yr0, yr1] = [g![1], g![2], g![3], g![4]].flatMap((s) => s.split(',').map(Number));
  const toX = (px: number) => xd0 + ((px - xr0) / (xr1 - xr0)) * (xd1 - xd0);
  const toY = (py: number) => yd0 + ((py - yr0) / (yr1 - yr0)) * (yd1 - yd0);
  const out = new Map<string, [number, number][]>();
  for (const m of svg.matchAll(/<polyline data-series="([^"]+)"[^>]* points="([^"]*)"/g)) {
    out.set(m[1], m[2].split(' ').filter(Boolean).map((p) => p.split(',').map(Number)).map(([px, py]) => [toX(px), toY(py)]));
  }
  return out;
}

/** The drawn y at x (the nearest sample), and how much one pixel is worth in y. */
function drawnAt(points: [number, number][], x: number): number {
  let best = points[0];
  for (const p of points) if (Math.abs(p[0] - x) < Math.abs(best[0] - x)) best = p;
  expect(Math.abs(best[0] - x)).toBeLessThan(1e-3);
  return best[1];
}
const pixelInY = (svg: string) => {
  const [y0, y1] = /data-y-domain="([^"]+)"/.exec(svg)![1].split(',').map(Number);
  const [r0, r1] = /data-y-range="([^"]+)"/.exec(svg)![1].split(',').map(Number);
  return Math.abs(y1 - y0) / Math.abs(r1 - r0);
};

async function lossAt(loss: string, predictions: unknown, targets: unknown, params: object = {}) {
  const res = await app.inject({ method: 'POST', url: '/loss', payload: { loss, predictions, targets, params, reduction: 'sum', include: ['gradient'] } });
  return res.json() as { value: number; gradient: number[] };
}

describe.each(losses.map((l) => l.name))('GET /losses/%s/plot.svg', (name) => {
  test('is valid SVG with a loss curve and a derivative curve', async () => {
    const res = await get(`/losses/${name}/plot.svg`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(XMLValidator.validate(res.body)).toBe(true);
    const series = drawnSeries(res.body);
    expect(series.get('loss')!.length).toBeGreaterThan(100);
    expect(series.get('derivative')!.length).toBeGreaterThan(100);
    expect(res.body).toContain('<title>');
  });
});

test('margin.svg: the six textbook losses, drawn where their kernels put them', async () => {
  const res = await get('/plots/margin.svg');
  expect(XMLValidator.validate(res.body)).toBe(true);
  const series = drawnSeries(res.body);
  expect([...series.keys()]).toEqual(['0-1', 'hinge', 'squared hinge', 'logistic', 'exponential', 'square (1 − m)²']);
  const tol = pixelInY(res.body);
  const byLoss: [string, string][] = [['zero_one', '0-1'], ['hinge', 'hinge'], ['squared_hinge', 'squared hinge'], ['logistic', 'logistic'], ['exponential', 'exponential']];
  for (const m of [-1.5, -0.74, 0.5, 1.26, 1.9]) {
    for (const [loss, label] of byLoss) {
      const { value } = await lossAt(loss, [m], [1]);
      expect(Math.abs(drawnAt(series.get(label)!, m) - value), `${loss} at m = ${m}`).toBeLessThanOrEqual(tol);
    }
    const square = await lossAt('mse', [m], [1]);
    expect(Math.abs(drawnAt(series.get('square (1 − m)²')!, m) - square.value)).toBeLessThanOrEqual(tol);
  }
});

test('a loss plot with parameters from the query: huber delta=0.5, loss and derivative at sampled residuals', async () => {
  const res = await get('/losses/huber/plot.svg?delta=0.5&from=-2&to=2&points=401');
  const series = drawnSeries(res.body);
  const tol = pixelInY(res.body);
  for (const d of [-1.7, -0.25, 0.3, 1.5]) {
    const { value, gradient } = await lossAt('huber', [d], [0], { delta: 0.5 });
    expect(Math.abs(drawnAt(series.get('loss')!, d) - value)).toBeLessThanOrEqual(tol);
    expect(Math.abs(drawnAt(series.get('derivative')!, d) - gradient[0])).toBeLessThanOrEqual(tol);
  }
});

test('nll along the predicted probability: the chain rule through log p', async () => {
  const series = drawnSeries((await get('/losses/nll/plot.svg?points=99')).body);
  // ℓ(p) = -log p, dℓ/dp = -1/p; with 99 points over [0.01, 0.99] the samples fall every 0.01.
  for (const p of [0.2, 0.5, 0.8]) {
    expect(drawnAt(series.get('loss')!, p)).toBeCloseTo(-Math.log(p), 1);
    expect(drawnAt(series.get('derivative')!, p)).toBeCloseTo(-1 / p, 0);
  }
});

test('bad parameters, ranges and names are problems', async () => {
  expect((await get('/losses/huber/plot.svg?delta=-1')).json()).toMatchObject({ status: 400, field: 'params.delta' });
  expect((await get('/losses/huber/plot.svg?from=2&to=1')).statusCode).toBe(400);
  expect((await get('/losses/huber/plot.svg?points=1')).statusCode).toBe(400);
  expect((await get('/losses/nope/plot.svg')).statusCode).toBe(404);
});

test('/explore shows every loss picture and every comparison', async () => {
  const res = await get('/explore');
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  for (const l of losses) expect(res.body).toContain(`src="/losses/${l.name}/plot.svg"`);
  for (const name of ['margin', 'bce-near-0', 'bce-near-1', 'categorical-hinge', 'gaussian-nll']) expect(res.body).toContain(`src="/plots/${name}.svg"`);
});

test('PyTorch and Keras beside each other: BCE near p = 0 and the categorical hinge, drawn where their kernels put them', async () => {
  const bce = await get('/plots/bce-near-0.svg');
  expect(XMLValidator.validate(bce.body)).toBe(true);
  const series = drawnSeries(bce.body);
  const tol = pixelInY(bce.body);
  // Sampled points: 201 over [−12, 0], every 0.06.
  for (const x of [-11.1, -9, -6, -3, -0.48]) {
    const p = 10 ** x;
    for (const [loss, label] of [['binary_cross_entropy', 'PyTorch binary_cross_entropy'], ['keras.binary_crossentropy', 'keras.binary_crossentropy']]) {
      const { value } = await lossAt(loss, [p], [1]);
      expect(Math.abs(drawnAt(series.get(label)!, x) - value), `${loss} at p = 1e${x}`).toBeLessThanOrEqual(tol);
    }
  }
  // Below 1e-7 Keras's clip holds the loss at −log 1e-7 while PyTorch's keeps growing.
  expect(drawnAt(series.get('keras.binary_crossentropy')!, -11.1)).toBeCloseTo(-Math.log(1e-7), 1);
  expect(drawnAt(series.get('PyTorch binary_cross_entropy')!, -11.1)).toBeCloseTo(11.1 * Math.LN10, 1);
  const hinge = drawnSeries((await get('/plots/categorical-hinge.svg')).body);
  // 201 points over [−3, 1.5]: −2.1 is one of them.
  expect(drawnAt(hinge.get('categorical_hinge')!, -2.1)).toBeCloseTo(0, 1);
  expect(drawnAt(hinge.get('keras.categorical_hinge')!, -2.1)).toBeCloseTo(1, 1);
  expect((await get('/plots/gaussian-nll.svg')).statusCode).toBe(200);
  expect((await get('/plots/nope.svg')).statusCode).toBe(404);
});

test('an unknown comparison is a 404 problem that lists the comparisons', async () => {
  const res = await app.inject({ method: 'GET', url: '/plots/nope.svg' });
  expect(res.statusCode).toBe(404);
  expect(res.json()).toMatchObject({ code: 'not_found', field: 'name', detail: expect.stringMatching(/margin, bce-near-0/) });
});
