// A line chart as a standalone SVG document: axes with "nice" ticks (d3-scale), labels, a
// legend, each series as the polylines of its continuous pieces inside the window (segments.ts:
// jumps are not joined, values off the scale end at the edge with a marker). The plot area
// carries its mapping in data attributes (data-x-domain, data-y-domain, data-x-range,
// data-y-range) so that a reader (and the tests) can turn drawn points back into values.
import { scaleLinear } from 'd3-scale';
import { clipToWindow, splitAtJumps, type OffScale, type Point } from './segments.ts';

export interface Series {
  name: string;
  /** false: not in the legend (a derivative drawn dashed in its loss's colour, say). */
  legend?: boolean;
  /** Line width (default 2) and opacity: a wide pale line under a thin one shows two curves
   *  that coincide. */
  width?: number;
  opacity?: number;
  points: [number, number][];
  dashed?: boolean;
  color?: string;
}

export interface ChartOptions {
  title: string;
  /** A second, smaller line under the title (e.g. the formula). */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  /** y values beyond this window are not drawn (a loss that explodes must not flatten the rest);
   *  'robust' takes it from the values themselves (robustWindow). */
  yClip?: [number, number] | 'robust';
  /** A line of text under the legend's entries. */
  legendNote?: string;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
const tickLabel = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

/** A window that shows the bulk of the values at full height: the 5th to the 95th percentile of
 *  all of them, and 0, widened by half that span on each side, never wider than the values.
 *  A derivative that runs to −100 near p = 0 (−1/p) leaves it; a loss from 0 to 300 stays whole. */
export function robustWindow(values: number[]): [number, number] {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return [-1, 1];
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * (v.length - 1)))];
  const lo = Math.min(q(0.05), 0);
  const hi = Math.max(q(0.95), 0);
  const pad = (hi - lo) / 2;
  return [Math.max(v[0], lo - pad), Math.min(v.at(-1)!, hi + pad)];
}

export function renderLineChart(opts: ChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;

  const finite = opts.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const window = opts.yClip === 'robust' ? robustWindow(finite.map(([, y]) => y)) : opts.yClip;
  const [clipLo, clipHi] = window ?? [-Infinity, Infinity];
  const clip = (y: number) => Math.min(Math.max(y, clipLo), clipHi);
  const span = finite.length ? Math.max(...finite.map(([, y]) => clip(y))) - Math.min(...finite.map(([, y]) => clip(y))) : 1;
  // Each series: its continuous pieces, cut to the window.
  const drawn = opts.series.map((s) => {
    const runs: Point[][] = [];
    const offScale: OffScale[] = [];
    for (const piece of splitAtJumps(s.points, span)) {
      const cut = window ? clipToWindow(piece, clipLo, clipHi) : { runs: [piece], offScale: [] };
      runs.push(...cut.runs);
      offScale.push(...cut.offScale);
    }
    return { runs, offScale };
  });
  const all = drawn.flatMap((d) => d.runs.flat());
  const xs = finite.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const anyOff = drawn.some((d) => d.offScale.length > 0);
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  let yMin = ys.length ? Math.min(...ys, 0) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  // A marker sits on the window's edge: the edge is inside the chart.
  for (const m of drawn.flatMap((d) => d.offScale)) {
    if (m.edge === 'above') yMax = Math.max(yMax, clipHi);
    else yMin = Math.min(yMin, clipLo);
  }
  if (yMax - yMin < 1e-12) {
    yMin -= 1;
    yMax += 1;
  }
  // The legend sits right of the plot: room for its longest name (about 7 px a character at 12 px).
  const legendWidth = Math.max(...opts.series.filter((s) => s.legend !== false).map((s) => s.name.length), anyOff ? 16 : 8, (opts.legendNote?.length ?? 0) - 4) * 7 + 50;
  const margin = { top: opts.subtitle ? 56 : 40, right: legendWidth, bottom: 50, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const x = scaleLinear().domain([xMin, xMax]).range([0, plotW]);
  const y = scaleLinear().domain([yMin, yMax]).nice(8).range([plotH, 0]);
  const [yLo, yHi] = y.domain();

  const xTicks = x.ticks(8);
  const yTicks = y.ticks(8);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(opts.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    // A long title (a loss with many parameters) is set smaller rather than cut by the frame.
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="${Math.min(15, (width - 16) / (0.62 * opts.title.length)).toFixed(1)}" font-weight="bold">${escapeXml(opts.title)}</text>`,
    ...(opts.subtitle ? [`<text x="${width / 2}" y="40" text-anchor="middle" font-size="${Math.min(12, (width - 16) / (0.55 * opts.subtitle.length)).toFixed(1)}" fill="#444">${escapeXml(opts.subtitle)}</text>`] : []),
    `<g transform="translate(${margin.left},${margin.top})" data-x-domain="${xMin},${xMax}" data-y-domain="${yLo},${yHi}" data-x-range="0,${plotW}" data-y-range="${plotH},0">`,
  );
  // Grid, ticks and tick labels.
  for (const t of yTicks) {
    const py = y(t).toFixed(2);
    parts.push(`<line x1="0" x2="${plotW}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="-8" y="${py}" dy="0.32em" text-anchor="end">${tickLabel(t)}</text>`);
  }
  for (const t of xTicks) {
    const px = x(t).toFixed(2);
    parts.push(`<line x1="${px}" x2="${px}" y1="0" y2="${plotH}" stroke="#e5e5e5"/>`);
    parts.push(`<line x1="${px}" x2="${px}" y1="${plotH}" y2="${plotH + 5}" stroke="black"/>`);
    parts.push(`<text x="${px}" y="${plotH + 18}" text-anchor="middle">${tickLabel(t)}</text>`);
  }
  // Axes: the frame's left and bottom, and the zero lines when they fall inside.
  parts.push(`<line x1="0" x2="0" y1="0" y2="${plotH}" stroke="black"/>`, `<line x1="0" x2="${plotW}" y1="${plotH}" y2="${plotH}" stroke="black"/>`);
  if (yLo < 0 && yHi > 0) parts.push(`<line x1="0" x2="${plotW}" y1="${y(0).toFixed(2)}" y2="${y(0).toFixed(2)}" stroke="#888"/>`);
  if (xMin < 0 && xMax > 0) parts.push(`<line x1="${x(0).toFixed(2)}" x2="${x(0).toFixed(2)}" y1="0" y2="${plotH}" stroke="#888"/>`);
  // Series: a polyline per continuous piece, a triangle pointing out where one leaves the scale.
  opts.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const name = escapeXml(s.name);
    const width = s.width ?? 2;
    const look = `stroke="${color}" stroke-width="${width}"${s.opacity ? ` stroke-opacity="${s.opacity}"` : ''}`;
    for (const run of drawn[i].runs) {
      if (run.length === 1) {
        // A value alone between two jumps (l1's derivative sign(0) = 0 at 0): a dot.
        parts.push(`<circle data-series="${name}" data-x="${run[0][0]}" cx="${x(run[0][0]).toFixed(2)}" cy="${y(run[0][1]).toFixed(2)}" r="${width + 1}" fill="${color}"${s.opacity ? ` fill-opacity="${s.opacity}"` : ''}/>`);
        continue;
      }
      const pts = run.map(([px, py]) => `${x(px).toFixed(2)},${y(py).toFixed(2)}`).join(' ');
      parts.push(`<polyline data-series="${name}" fill="none" ${look}${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts}"/>`);
    }
    for (const m of drawn[i].offScale) {
      const px = x(m.x);
      const py = y(m.edge === 'above' ? clipHi : clipLo);
      const tip = m.edge === 'above' ? -7 : 7;
      const bound = m.edge === 'above' ? `above ${tickLabel(clipHi)}` : `below ${tickLabel(clipLo)}`;
      parts.push(
        `<path data-off-scale="${m.edge}" data-series="${name}" data-x="${m.x}" fill="${color}" d="M${(px - 5).toFixed(2)},${py.toFixed(2)} L${(px + 5).toFixed(2)},${py.toFixed(2)} L${px.toFixed(2)},${(py + tip).toFixed(2)} Z"><title>${name} goes ${bound} at x = ${tickLabel(m.x)}: off the scale</title></path>`,
      );
    }
  });
  parts.push('</g>');
  // Axis labels.
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
    `<text transform="translate(16,${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`,
  );
  // Legend: the series that are in it, then the notes.
  const inLegend = opts.series.map((s, i) => ({ s, color: s.color ?? PALETTE[i % PALETTE.length] })).filter(({ s }) => s.legend !== false);
  const lx = margin.left + plotW + 16;
  inLegend.forEach(({ s, color }, k) => {
    const ly = margin.top + 10 + k * 20;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="${s.width ?? 2}"${s.opacity ? ` stroke-opacity="${s.opacity}"` : ''}${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 30}" y="${ly}" dy="0.32em">${escapeXml(s.name)}</text>`,
    );
  });
  let noteY = margin.top + 10 + inLegend.length * 20 + 6;
  if (opts.legendNote) {
    parts.push(`<text x="${lx}" y="${noteY}" dy="0.32em" fill="#444">${escapeXml(opts.legendNote)}</text>`);
    noteY += 22;
  }
  if (anyOff) {
    parts.push(
      `<text data-legend="off-scale" x="${lx}" y="${noteY}" dy="0.32em" fill="#444">▲▼ off the scale</text>`,
      `<text x="${lx}" y="${noteY + 16}" dy="0.32em" fill="#444">(beyond ${Number(clipLo.toPrecision(3))} … ${Number(clipHi.toPrecision(3))})</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
