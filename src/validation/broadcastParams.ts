// Weights that broadcast to the predictions' shape by numpy's rules (PyTorch's for the BCE
// losses' weight and pos_weight): aligned from the last dimension, each of the weight's
// dimensions 1 or equal to the predictions'. The kernel reads entry i % length: a weight whose
// dimensions other than 1 are the predictions' trailing ones ([C], the full shape, a scalar)
// repeats as it is and is sent as sent; any other ([N, 1], [A, 1, C]) is expanded here, once,
// to the predictions' length.
import { ServiceError } from '../errors/catalog.ts';
import { decodeJsonTensor } from './decodeJsonTensor.ts';
import { broadcastIndex, shapeText } from '../losses/layout.ts';

/** `value` (nested arrays, as the request gave them) broadcast to `shape`. */
export function broadcastTo(value: unknown, shape: readonly number[], name: string): Float64Array {
  const field = `params.${name}`;
  let w: { data: Float64Array; shape: number[] };
  try {
    w = decodeJsonTensor(value, field);
  } catch (err) {
    if (err instanceof ServiceError) throw new ServiceError('invalid_params', err.message, { field, index: err.index });
    throw err;
  }
  const offset = shape.length - w.shape.length;
  if (offset < 0 || w.shape.some((d, i) => d !== 1 && d !== shape[offset + i])) {
    throw new ServiceError(
      'invalid_params',
      `${field} has shape ${shapeText(w.shape)}, which does not broadcast to predictions ${shapeText(shape)} (numpy's rules: aligned from the last dimension, each dimension 1 or equal)`,
      { field },
    );
  }
  // Periodic: strip the trailing dimensions equal to the predictions'; what is left must be all 1.
  let k = w.shape.length;
  while (k > 0 && w.shape[k - 1] === shape[offset + k - 1]) k--;
  if (w.shape.slice(0, k).every((d) => d === 1)) return w.data;
  const index = broadcastIndex(w.shape, shape);
  return Float64Array.from(index, (from) => w.data[from]);
}
