// What the Keras regression losses share: their inputs' description and target rule, and their
// random requests (predictions and targets [N, C] and, half of the time, a sample_weight of [N],
// some of it 0 or negative, as Keras allows).
import { C, N, tensor, times, type Random, type Sample } from '../samples.ts';

export function kerasSample(r: Random, pred: () => number, target: (x: number) => number, params: Record<string, unknown> = {}): Sample {
  const x = times(N * C, pred);
  const inputs: Sample['inputs'] = { predictions: tensor(x, [N, C]), targets: tensor(x.map(target), [N, C]) };
  if (r.uniform() < 0.5) inputs.sample_weight = tensor(times(N, () => r.uniform(-0.5, 2)), [N]);
  return { inputs, params };
}

/** The inputs of a loss that averages an elementwise term over the last axis. */
export const LAST_AXIS_MEAN = {
  predictions: 'any rank ≥ 1; the last axis is averaged per sample',
  targets: 'broadcastable to predictions (after Keras squeezes or adds a trailing 1)',
  targetRule: 'broadcast',
} as const;
