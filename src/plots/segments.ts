// What a line chart may join and what it must not: a curve is drawn as pieces, so that neither a
// jump of the function nor a value off the chart's scale reads as a fact that is not true.
//
// - A jump (a step of the 0-1 loss, the derivative of a hinge at its kink) is not joined by a
//   vertical line: between samples x_i and x_{i+1} the curve breaks when its step
//   |y_{i+1} − y_i| is both visible (over 1% of the window) and many times the steps beside it.
//   A continuous curve sampled on an even grid changes by about f'(ξ)·Δx per step, and neighbouring
//   steps differ by a factor near 1 (≈ 3 for 1/p at its steepest sampled end); a jump's step
//   stands alone, with steps of the order of Δx·f' on either side, so 6× is the line.
// - A gap in x (points the loss cannot take: outside its domain, or overflowing) breaks it too.
// - Values beyond the window [lo, hi] are not drawn along its edge: the piece stops where it
//   crosses the edge (interpolated there) and the crossing gets a marker pointing out.

export type Point = [number, number];

export interface OffScale {
  /** x where the curve leaves (or enters) the window, and the edge it crosses. */
  x: number;
  edge: 'above' | 'below';
}

const JUMP_RATIO = 6;
const VISIBLE = 0.01;

/** The curve's points split where it is not continuous: at gaps in x and at jumps in y. */
export function splitAtJumps(points: Point[], windowSpan: number): Point[][] {
  const pts = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length < 2) return pts.length ? [pts] : [];
  const steps = pts.slice(1).map(([x], i) => x - pts[i][0]);
  const dx = [...steps].sort((a, b) => a - b)[steps.length >> 1];
  const dy = (i: number) => (i < 0 || i >= pts.length - 1 ? 0 : Math.abs(pts[i + 1][1] - pts[i][1]));
  const visible = (i: number) => dy(i) > VISIBLE * windowSpan;
  const jumps = new Set<number>();
  for (let i = 0; i < pts.length - 1; i++) {
    if (visible(i) && dy(i) > JUMP_RATIO * Math.max(dy(i - 1), dy(i + 1))) jumps.add(i);
    // A jump through one sample on it (l1's derivative: −1, then sign(0) = 0 at 0, then 1): two
    // large steps side by side, each many times the steps outside them. The sample between is a
    // piece of its own (drawn as a dot: the value the loss takes there).
    if (visible(i) && visible(i + 1) && Math.min(dy(i), dy(i + 1)) > JUMP_RATIO * Math.max(dy(i - 1), dy(i + 2))) jumps.add(i).add(i + 1);
  }
  const pieces: Point[][] = [[pts[0]]];
  for (let i = 0; i < pts.length - 1; i++) {
    if (steps[i] > 1.5 * dx || jumps.has(i)) pieces.push([]);
    pieces.at(-1)!.push(pts[i + 1]);
  }
  return pieces;
}

/** One continuous piece cut to the window [lo, hi]: the runs inside it, each ending exactly on
 *  the edge where the curve crosses it, and a marker at each crossing (or at the first point of a
 *  piece that lies wholly outside). */
export function clipToWindow(piece: Point[], lo: number, hi: number): { runs: Point[][]; offScale: OffScale[] } {
  const runs: Point[][] = [];
  const offScale: OffScale[] = [];
  const side = (y: number) => (y > hi ? 'above' : y < lo ? 'below' : 'inside');
  let run: Point[] = [];
  for (let i = 0; i < piece.length; i++) {
    const [x, y] = piece[i];
    const here = side(y);
    if (i > 0) {
      const [px, py] = piece[i - 1];
      const before = side(py);
      if (before !== here) {
        // Crossing an edge between the two samples: where the straight segment meets it.
        const crossAt = (edgeY: number) => px + ((edgeY - py) / (y - py)) * (x - px);
        if (before !== 'inside') {
          const edgeY = before === 'above' ? hi : lo;
          offScale.push({ x: crossAt(edgeY), edge: before });
          if (here === 'inside') run.push([crossAt(edgeY), edgeY]);
        }
        if (here !== 'inside') {
          const edgeY = here === 'above' ? hi : lo;
          if (before === 'inside') run.push([crossAt(edgeY), edgeY]);
          offScale.push({ x: crossAt(edgeY), edge: here });
          if (run.length) runs.push(run);
          run = [];
        }
      }
    }
    if (here === 'inside') run.push([x, y]);
  }
  if (run.length) runs.push(run);
  // A piece that never comes into the window: one marker where it starts.
  if (runs.length === 0 && piece.length > 0) offScale.push({ x: piece[0][0], edge: side(piece[0][1]) === 'above' ? 'above' : 'below' });
  return { runs, offScale: dedupe(offScale) };
}

/** Two markers at the same place (a piece passing from above to below) drawn once each edge. */
function dedupe(markers: OffScale[]): OffScale[] {
  const seen = new Set<string>();
  return markers.filter((m) => {
    const key = `${m.edge}:${m.x}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
