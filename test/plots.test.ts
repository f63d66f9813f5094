// Pictures: valid SVG for every loss, and the drawn points are the kernels' values.
// (Drawing every loss runs kernels on this thread, which is the app's: delay shedding is off.)
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { losses } from '../src/losses/registry.ts';
import { tensorInputs } from '../src/losses/types.ts';

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
    // A series is drawn as several polylines where it jumps or leaves the scale: its points, in order.
    const points = m[2].split(' ').filter(Boolean).map((p) => p.split(',').map(Number)).map(([px, py]) => [toX(px), toY(py)] as [number, number]);
    out.set(m[1], [...(out.get(m[1]) ?? []), ...points]);
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
  const loss = losses.find((l) => l.name === name)!;
  const derivable = tensorInputs(loss).some((i) => i.differentiable);
  test(`is valid SVG with a loss curve${derivable ? ' and a derivative curve' : ' (piecewise constant: no derivative)'}`, async () => {
    const res = await get(`/losses/${name}/plot.svg`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(XMLValidator.validate(res.body)).toBe(true);
    const series = drawnSeries(res.body);
    expect(series.get('loss')!.length).toBeGreaterThan(100);
    if (derivable) expect(series.get('derivative')!.length).toBeGreaterThan(100);
    else expect(series.has('derivative')).toBe(false);
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

test('/explore carries every loss (controls, counterpart) and every story; its script is served', async () => {
  const res = await get('/explore');
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  const model = JSON.parse(/<script type="application\/json" id="explore-model">([\s\S]*?)<\/script>/.exec(res.body)![1]);
  expect(model.map((l: { name: string }) => l.name)).toEqual(losses.map((l) => l.name));
  const huber = model.find((l: { name: string }) => l.name === 'huber');
  expect(huber.controls).toEqual([expect.objectContaining({ name: 'delta', kind: 'number', default: 1, slider: [expect.any(Number), 4, expect.any(Number)] })]);
  expect(huber.counterpart).toEqual({ loss: 'keras.huber', params: {} });
  // A counterpart only where the two share the axis: cross_entropy (logit margin) and Keras's (probability) do not.
  expect(model.find((l: { name: string }) => l.name === 'cross_entropy').counterpart).toBeNull();
  for (const name of ['margin', 'bce-near-0', 'bce-near-1', 'categorical-hinge', 'gaussian-nll']) expect(res.body).toContain(`src="/plots/${name}.svg"`);
  const script = await get('/explore/explore.js');
  expect(script.headers['content-type']).toMatch(/^text\/javascript/);
  expect(script.body).toContain('explore-model');
});

test('/plots/compare.svg: the chosen losses with their parameters, shared by name or given to one as k.name', async () => {
  const res = await get('/plots/compare.svg?losses=huber,keras.huber,mse&delta=0.5&derivative=true&from=-2&to=2&points=401');
  expect(res.statusCode).toBe(200);
  expect(XMLValidator.validate(res.body)).toBe(true);
  const series = drawnSeries(res.body);
  expect([...series.keys()]).toEqual(['huber', 'huber derivative', 'keras.huber', 'keras.huber derivative', 'mse', 'mse derivative']);
  const tol = pixelInY(res.body);
  for (const d of [-1.5, 0.25, 1.2]) {
    const { value } = await lossAt('huber', [d], [0], { delta: 0.5 });
    expect(Math.abs(drawnAt(series.get('huber')!, d) - value)).toBeLessThanOrEqual(tol);
    expect(Math.abs(drawnAt(series.get('keras.huber')!, d) - value)).toBeLessThanOrEqual(tol); // delta reached both
  }
  const own = drawnSeries((await get('/plots/compare.svg?losses=huber,keras.huber&2.delta=2&from=-2&to=2&points=401')).body);
  expect(drawnAt(own.get('huber')!, 1.5)).toBeCloseTo(1.5 - 0.5, 1); // delta 1: |d| − ½
  expect(drawnAt(own.get('keras.huber')!, 1.5)).toBeCloseTo(0.5 * 1.5 ** 2, 1); // delta 2: ½d²
  expect((await get('/plots/compare.svg?losses=huber,mse&gamma=2')).json()).toMatchObject({ status: 400, field: 'gamma' });
  expect((await get('/plots/compare.svg?losses=huber&3.delta=2')).json()).toMatchObject({ status: 400, field: '3.delta' });
  expect((await get('/plots/compare.svg?losses=a,b,c,d')).json()).toMatchObject({ status: 400, field: 'losses' });
  expect((await get('/plots/compare.svg?losses=hubr')).json()).toMatchObject({ status: 404, detail: expect.stringMatching(/huber/) });
});

test("a value alone between two jumps is a dot: l1's derivative sign(0) = 0 at 0", async () => {
  const svg = (await get('/losses/l1/plot.svg')).body;
  const pieces = drawnPieces(svg, 'derivative');
  expect(pieces.length).toBe(2);
  expect(pieces[0].every(([, y]) => Math.abs(y + 1) < 1e-9)).toBe(true);
  expect(pieces[1].every(([, y]) => Math.abs(y - 1) < 1e-9)).toBe(true);
  expect(svg).toMatch(/<circle data-series="derivative" data-x="0"/);
});

test('PyTorch, Keras and scikit-learn beside each other: BCE near p = 0 and the categorical hinge, drawn where their kernels put them', async () => {
  const bce = await get('/plots/bce-near-0.svg');
  expect(XMLValidator.validate(bce.body)).toBe(true);
  const series = drawnSeries(bce.body);
  const tol = pixelInY(bce.body);
  // Sampled points: 201 over [−18, 0], every 0.09.
  for (const x of [-11.07, -9, -6.03, -3.06, -0.45]) {
    const p = 10 ** x;
    for (const [loss, label] of [['binary_cross_entropy', 'PyTorch binary_cross_entropy'], ['keras.binary_crossentropy', 'keras.binary_crossentropy']]) {
      const { value } = await lossAt(loss, [p], [1]);
      expect(Math.abs(drawnAt(series.get(label)!, x) - value), `${loss} at p = 1e${x}`).toBeLessThanOrEqual(tol);
    }
    const logLoss = (await app.inject({ method: 'POST', url: '/loss', payload: { loss: 'sklearn.log_loss', targets: [1, 0], predictions: [p, 1 - p] } })).json();
    expect(Math.abs(drawnAt(series.get('sklearn.log_loss')!, x) - logLoss.value), `log_loss at p = 1e${x}`).toBeLessThanOrEqual(tol);
  }
  // Below 1e-7 Keras's clip holds the loss at −log 1e-7 while PyTorch's keeps growing; below
  // 2.2e-16 scikit-learn's clip holds it at −log 2^−52.
  expect(drawnAt(series.get('keras.binary_crossentropy')!, -11.07)).toBeCloseTo(-Math.log(1e-7), 1);
  expect(drawnAt(series.get('PyTorch binary_cross_entropy')!, -11.07)).toBeCloseTo(11.07 * Math.LN10, 1);
  expect(drawnAt(series.get('sklearn.log_loss')!, -11.07)).toBeCloseTo(11.07 * Math.LN10, 1);
  expect(drawnAt(series.get('sklearn.log_loss')!, -17.1)).toBeCloseTo(-Math.log(2 ** -52), 1);
  expect(drawnAt(series.get('PyTorch binary_cross_entropy')!, -17.1)).toBeCloseTo(17.1 * Math.LN10, 1);
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

/** Each polyline of a series as its own list of points (in values, like drawnSeries). */
function drawnPieces(svg: string, series: string): [number, number][][] {
  const g = /data-x-domain="([^"]+)" data-y-domain="([^"]+)" data-x-range="([^"]+)" data-y-range="([^"]+)"/.exec(svg)!;
  const [xd0, xd1, yd0, yd1, xr0, xr1, yr0, yr1] = [g[1], g[2], g[3], g[4]].flatMap((s) => s.split(',').map(Number));
  const pieces: [number, number][][] = [];
  for (const m of svg.matchAll(/<polyline data-series="([^"]+)"[^>]* points="([^"]*)"/g)) {
    if (m[1] !== series) continue;
    pieces.push(m[2].split(' ').filter(Boolean).map((p) => p.split(',').map(Number)).map(([px, py]) => [xd0 + ((px - xr0) / (xr1 - xr0)) * (xd1 - xd0), yd0 + ((py - yr0) / (yr1 - yr0)) * (yd1 - yd0)]));
  }
  return pieces;
}

test('a jump is not joined: triplet_margin\'s derivative breaks at 2 (from −1 to 0), the 0-1 loss at 0', async () => {
  const triplet = (await get('/losses/triplet_margin/plot.svg')).body;
  const pieces = drawnPieces(triplet, 'derivative');
  expect(pieces.length).toBeGreaterThanOrEqual(2);
  const tol = pixelInY(triplet);
  for (const piece of pieces) {
    // No drawn segment goes from −1 to 0: within a piece, consecutive points differ by little.
    for (let i = 1; i < piece.length; i++) expect(Math.abs(piece[i][1] - piece[i - 1][1])).toBeLessThan(0.5);
  }
  const right = pieces.find((p) => p[0][0] >= 1.9)!;
  expect(Math.abs(right[0][1])).toBeLessThanOrEqual(tol); // the margin met: 0 after x = 2
  const zeroOne = drawnPieces((await get('/losses/zero_one/plot.svg')).body, 'loss');
  expect(zeroOne.length).toBe(2);
  expect(zeroOne[0].every(([, y]) => Math.abs(y - 1) < 1e-9)).toBe(true);
  expect(zeroOne[1].every(([, y]) => Math.abs(y) < 1e-9)).toBe(true);
});

test('values off the scale are not drawn along its edge: a marker says where the derivative leaves it', async () => {
  for (const name of ['keras.binary_crossentropy', 'nll']) {
    const svg = (await get(`/losses/${name}/plot.svg`)).body;
    const markers = [...svg.matchAll(/<path data-off-scale="(above|below)" data-series="([^"]+)" data-x="([^"]+)"/g)];
    expect(markers.length, name).toBeGreaterThan(0);
    expect(markers.every((m) => m[1] === 'below' && m[2] === 'derivative')).toBe(true);
    expect(svg).toContain('off the scale');
    // −1/p at p = 0.01 is −100: the drawn derivative starts where it comes into the window, on its edge.
    const [lo] = /data-y-domain="([^"]+)"/.exec(svg)![1].split(',').map(Number);
    const first = drawnPieces(svg, 'derivative')[0];
    expect(first[0][0]).toBeGreaterThan(0.02);
    expect(first[0][1]).toBeGreaterThanOrEqual(lo);
    const below = first.filter(([, y]) => y <= lo + pixelInY(svg));
    expect(below.length).toBeLessThanOrEqual(1);
    expect(Number(markers[0][3])).toBeCloseTo(first[0][0], 3); // to the drawn pixel
  }
  // A loss whose values are all large keeps them: MAPE from 0 to 300 and its ±100 slope, whole.
  const mape = (await get('/losses/keras.mean_absolute_percentage_error/plot.svg')).body;
  expect(mape).not.toContain('data-off-scale');
});
