// A loss and its derivative along its plot slice, computed by the same kernels as POST /loss
// (prepareLossTask + computeLoss, inline: these are one-sample requests).
import { computeLoss } from '../pool/computeLoss.ts';
import { prepareLossTask, reductionsOf, slotTensors } from '../validation/prepareLossTask.ts';
import { kernelSlots, outputsGiven, type LossDefinition, type NestedNumbers } from '../losses/types.ts';
import { decodeLossInput } from '../validation/decodeJsonTensor.ts';

export interface Curve {
  loss: [number, number][];
  derivative: [number, number][];
}

/** `points` samples of x in [from, to]: (x, loss) and (x, d loss / dx). Points the loss cannot
 *  take (outside its domain, or overflowing float64) are left out. */
export function lossCurve(def: LossDefinition, params: unknown, from: number, to: number, points: number): Curve {
  const curve: Curve = { loss: [], derivative: [] };
  // A loss of labels alone (zero_one_loss) has no derivative to draw.
  const given = outputsGiven(def, params);
  for (let i = 0; i < points; i++) {
    const x = from + ((to - from) * i) / (points - 1);
    const { predictions, targets, dPredictions, extra = {}, dExtra = {} } = def.demo.plot.at(x);
    const sent: Record<string, NestedNumbers> = { targets, ...extra, [kernelSlots(def).predictions]: predictions };
    try {
      const task = prepareLossTask({
        def,
        ...slotTensors(def, (name) => (sent[name] === undefined ? undefined : decodeLossInput(def, name, sent[name]))),
        params,
        // The sum of one sample is its value; a loss without sum (scikit-learn's) gives its own.
        reduction: reductionsOf(def).includes('sum') ? 'sum' : reductionsOf(def)[0],
        wantPerSample: false,
        wantGradient: given.gradient,
        regularization: null,
      });
      const result = computeLoss(task);
      if (result.nonFinite !== null) continue;
      curve.loss.push([x, result.value]);
      if (!given.gradient) continue;
      let slope = 0;
      for (let k = 0; k < dPredictions.length; k++) slope += result.gradient![k] * dPredictions[k];
      for (const [name, d] of Object.entries(dExtra)) for (let k = 0; k < d.length; k++) slope += result.gradients[name][k] * d[k];
      curve.derivative.push([x, slope]);
    } catch {
      // outside the loss's domain at this x (e.g. a rate below 0): no point
    }
  }
  return curve;
}
