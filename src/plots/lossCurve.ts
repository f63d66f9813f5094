// A loss and its derivative along its plot slice, computed by the same kernels as POST /loss
// (prepareLossTask + computeLoss, inline: these are one-sample requests).
import { computeLoss } from '../pool/computeLoss.ts';
import { prepareLossTask } from '../validation/prepareLossTask.ts';
import type { LossDefinition } from '../losses/types.ts';

export interface Curve {
  loss: [number, number][];
  derivative: [number, number][];
}

function flat(v: number[] | number[][]): { data: Float64Array; shape: number[] } {
  if (Array.isArray(v[0])) {
    const rows = v as number[][];
    return { data: Float64Array.from(rows.flat()), shape: [rows.length, rows[0].length] };
  }
  return { data: Float64Array.from(v as number[]), shape: [v.length] };
}

/** `points` samples of x in [from, to]: (x, loss) and (x, d loss / dx). Points the loss cannot
 *  take (outside its domain, or overflowing float64) are left out. */
export function lossCurve(def: LossDefinition, params: unknown, from: number, to: number, points: number): Curve {
  const curve: Curve = { loss: [], derivative: [] };
  for (let i = 0; i < points; i++) {
    const x = from + ((to - from) * i) / (points - 1);
    const { predictions, targets, dPredictions, extra = {} } = def.plot.at(x);
    try {
      const task = prepareLossTask({
        def,
        predictions: flat(predictions),
        targets: flat(targets),
        extra: Object.fromEntries(Object.entries(extra).map(([name, v]) => [name, flat(v)])),
        params,
        reduction: 'sum',
        wantPerSample: false,
        wantGradient: true,
        regularization: null,
      });
      const result = computeLoss(task);
      if (result.nonFinite !== null) continue;
      let slope = 0;
      for (let k = 0; k < dPredictions.length; k++) slope += result.gradient![k] * dPredictions[k];
      curve.loss.push([x, result.value]);
      curve.derivative.push([x, slope]);
    } catch {
      // outside the loss's domain at this x (e.g. a rate below 0): no point
    }
  }
  return curve;
}
