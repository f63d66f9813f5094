// A line chart as a standalone SVG document: axes with "nice" ticks (d3-scale), labels, a
// legend, one polyline per series. The plot area carries its mapping in data attributes
// (data-x-domain, data-y-domain, data-x-range, data-y-range) so that a reader (and the tests) can
// turn drawn points back into values.
import { scaleLinear } from 'd3-scale';

export interface Series {
  name: string;
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
  /** y values beyond this window are clipped (a loss that explodes must not flatten the rest). */
  yClip?: [number, number];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
const tickLabel = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

export function renderLineChart(opts: ChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  // The legend sits right of the plot: room for its longest name (about 7 px a character at 12 px).
  const legendWidth = Math.max(...opts.series.map((s) => s.name.length), 8) * 7 + 50;
  const margin = { top: opts.subtitle ? 56 : 40, right: legendWidth, bottom: 50, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  const clip = (y: number) => (opts.yClip ? Math.min(Math.max(y, opts.yClip[0]), opts.yClip[1]) : y);
  const all = opts.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => clip(y));
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  let yMin = ys.length ? Math.min(...ys, 0) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  if (yMax - yMin < 1e-12) {
    yMin -= 1;
    yMax += 1;
  }
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
    `<text x="${margin.left + plotW / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(opts.title)}</text>`,
    ...(opts.subtitle ? [`<text x="${margin.left + plotW / 2}" y="40" text-anchor="middle" font-size="12" fill="#444">${escapeXml(opts.subtitle)}</text>`] : []),
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
  // Series.
  opts.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.points
      .filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
      .map(([px, py]) => `${x(px).toFixed(2)},${y(clip(py)).toFixed(2)}`)
      .join(' ');
    parts.push(
      `<polyline data-series="${escapeXml(s.name)}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts}"/>`,
    );
  });
  parts.push('</g>');
  // Axis labels.
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
    `<text transform="translate(16,${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`,
  );
  // Legend.
  opts.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const ly = margin.top + 10 + i * 20;
    const lx = margin.left + plotW + 16;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 30}" y="${ly}" dy="0.32em">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
