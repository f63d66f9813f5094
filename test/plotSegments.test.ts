// The pieces a chart draws (src/plots/segments.ts): jumps and gaps split a curve, a window cuts
// it at its edges with a marker at each crossing.
import { expect, test } from 'vitest';
import { clipToWindow, splitAtJumps, type Point } from '../src/plots/segments.ts';
import { robustWindow } from '../src/plots/svgChart.ts';

const grid = (f: (x: number) => number, from: number, to: number, n: number): Point[] =>
  Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1)).map((x) => [x, f(x)]);

test('a continuous curve stays one piece: a kink, a steep 1/x, a flat line', () => {
  expect(splitAtJumps(grid((x) => Math.max(0, 1 - x), -2, 2, 201), 3)).toHaveLength(1);
  expect(splitAtJumps(grid((x) => -1 / x, 0.01, 0.99, 99), 100)).toHaveLength(1);
  expect(splitAtJumps(grid(() => 2, 0, 1, 50), 1)).toHaveLength(1);
});

test('a step splits it; a gap in x splits it; an invisible step does not', () => {
  const step = splitAtJumps(grid((x) => (x < 0.5 ? 1 : 0), 0, 1, 101), 1);
  expect(step).toHaveLength(2);
  expect(step[0].at(-1)![1]).toBe(1);
  expect(step[1][0][1]).toBe(0);
  const withGap = grid((x) => x, 0, 1, 11).filter(([x]) => x < 0.35 || x > 0.65);
  expect(splitAtJumps(withGap, 1)).toHaveLength(2);
  expect(splitAtJumps(grid((x) => (x < 0.5 ? 0 : 1e-4), 0, 1, 101), 1)).toHaveLength(1);
  expect(splitAtJumps([[0, Number.NaN], [1, 2]], 1)).toEqual([[[1, 2]]]);
});

test('clipping: runs end on the edge where the curve crosses it, with a marker there', () => {
  const { runs, offScale } = clipToWindow([[0, -30], [1, -10], [2, 0], [3, 30]], -20, 20);
  expect(runs).toEqual([[[0.5, -20], [1, -10], [2, 0], [2 + 2 / 3, 20]]]);
  expect(offScale).toEqual([{ x: 0.5, edge: 'below' }, { x: 2 + 2 / 3, edge: 'above' }]);
  // Wholly outside: no run, one marker where it starts.
  expect(clipToWindow([[0, 50], [1, 60]], -20, 20)).toEqual({ runs: [], offScale: [{ x: 0, edge: 'above' }] });
  // Leaving and coming back: two runs.
  expect(clipToWindow([[0, 0], [1, 40], [2, 0]], -20, 20).runs).toHaveLength(2);
});

test('the robust window keeps the bulk and a whole loss, and leaves a spike out', () => {
  const spike = [-100, ...Array.from({ length: 99 }, (_, i) => -1 - i / 99)];
  const [lo, hi] = robustWindow(spike);
  expect(lo).toBeGreaterThan(-100);
  expect(hi).toBe(-1); // never wider than the values (the chart adds its 0 line itself)
  expect(robustWindow([0, 100, 200, 300])).toEqual([0, 300]);
});

test('a jump through one sample on it splits on both sides, the sample alone', () => {
  const sign = splitAtJumps(grid((x) => Math.sign(x), -1, 1, 21), 2);
  expect(sign.map((p) => p.length)).toEqual([10, 1, 10]);
  expect(sign[1]).toEqual([[0, 0]]);
});
