// Two or three losses on one chart (GET /plots/compare.svg, and /explore's overlay of PyTorch and
// Keras): each loss along its own plot slice, over one x range, with its derivative dashed in the
// same colour when asked. The slices of losses that share an axis label mean the same x (the
// overlay only pairs those); others are drawn all the same, and the chart says each one's axis.
import type { LossDefinition } from '../losses/types.ts';
import { lossCurve } from './lossCurve.ts';
import { renderLineChart, type Series } from './svgChart.ts';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c'];

export interface ComparedLoss {
  def: LossDefinition;
  /** Its parameters, parsed by its own schema. */
  params: unknown;
}

const shownParams = (params: unknown) =>
  Object.entries(params as Record<string, unknown>)
    .filter(([, v]) => !Array.isArray(v))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

export function compareLossesSvg(compared: ComparedLoss[], from: number, to: number, points: number, withDerivative: boolean): string {
  const series: Series[] = compared.flatMap(({ def, params }, i) => {
    const curve = lossCurve(def, params, from, to, points);
    const color = PALETTE[i % PALETTE.length];
    // The first loss wide and pale under the others: where two coincide (PyTorch's and Keras's
    // huber) the thin line runs inside the wide one, and both are seen.
    const look = i === 0 && compared.length > 1 ? { width: 6, opacity: 0.4 } : {};
    return [
      { name: def.name, points: curve.loss, color, ...look },
      ...(withDerivative ? [{ name: `${def.name} derivative`, points: curve.derivative, color, dashed: true, legend: false, ...look }] : []),
    ];
  });
  const labels = [...new Set(compared.map(({ def }) => def.demo.plot.label))];
  return renderLineChart({
    title: compared.map(({ def }) => def.name).join(' · '),
    subtitle: labels.length === 1 ? compared.map(({ def, params }) => `${def.name}: ${shownParams(params) || 'defaults'}`).join(' · ') : compared.map(({ def }) => `${def.name}: x = ${def.demo.plot.label}`).join(' · '),
    xLabel: labels.length === 1 ? labels[0] : 'x: each loss along its own axis (see above)',
    yLabel: withDerivative ? 'loss (solid) and its derivative (dashed)' : 'loss',
    series,
    yClip: 'robust',
    width: 800,
    ...(withDerivative ? { legendNote: 'dashed: its derivative' } : {}),
  });
}
