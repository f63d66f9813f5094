// Random requests for scikit-learn's regression metrics: [N] or [N, 2] (two outputs), targets
// near the predictions, and half of the time a positive sample_weight of [N].
import { N, tensor, times, type Random, type Sample } from '../samples.ts';

export function regressionSample(r: Random, pred: () => number, target: (x: number) => number, params: Record<string, unknown> = {}): Sample {
  const outputs = r.uniform() < 0.5 ? 1 : 2;
  const x = times(N * outputs, pred);
  const shape = outputs === 1 ? [N] : [N, outputs];
  const inputs: Sample['inputs'] = { predictions: tensor(x, shape), targets: tensor(x.map(target), shape) };
  if (r.uniform() < 0.5) inputs.sample_weight = tensor(times(N, () => r.uniform(0.2, 2)), [N]);
  return { inputs, params };
}
