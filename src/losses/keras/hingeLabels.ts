// Keras's convert_binary_labels_to_hinge: when every label is 0 or 1, they are read as −1 and 1
// (2y − 1); a tensor that mixes in any other value (−1, 0.7, …) is used as it is.
import type { TargetArray } from '../types.ts';
import { noParams } from '../params.ts';

export function hingeLabels(t: TargetArray): TargetArray {
  for (let i = 0; i < t.length; i++) if (t[i] !== 0 && t[i] !== 1) return t;
  return Float64Array.from(t, (y) => 2 * y - 1);
}

/** What keras.hinge and keras.squared_hinge declare alike: scores against −1/1 labels. */
export const hingeSpec = {
  predictions: 'scores, any rank ≥ 1',
  targets: 'labels −1/1 (or 0/1, read as −1/1 when every label is 0 or 1), broadcastable to predictions',
  targetRule: 'broadcast' as const,
  params: noParams,
  rules: () => ({ targets: hingeLabels }),
};
