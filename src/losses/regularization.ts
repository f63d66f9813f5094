// Structural risk: value += λ1·Σ|w| + λ2·Σw² over the given parameters, and
// parameters_gradient = λ1·sign(w) + 2λ2·w (sign(0) = 0). per_sample and gradient are unchanged.
import type { FloatArray } from './types.ts';
import { sign } from './math.ts';

export interface Regularization {
  l1: number;
  l2: number;
  parameters: FloatArray;
}

export function regularize({ l1, l2, parameters: w }: Regularization): { penalty: number; gradient: Float64Array } {
  let absSum = 0;
  let sqSum = 0;
  const gradient = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const wi = w[i];
    absSum += Math.abs(wi);
    sqSum += wi * wi;
    gradient[i] = l1 * sign(wi) + 2 * l2 * wi;
  }
  return { penalty: l1 * absSum + l2 * sqSum, gradient };
}
