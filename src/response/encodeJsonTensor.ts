// Typed array + shape → nested JSON array text, without building JS arrays first. A typed
// array's join() prints each number as Number#toString does, the shortest text that reads back
// as the same float64: exactly what JSON.stringify would print for a finite number.
import type { FloatArray } from '../losses/types.ts';

export function encodeJsonTensor(data: FloatArray, shape: readonly number[]): string {
  const rank = shape.length;
  if (rank <= 1) return `[${data.join(',')}]`;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  const parts: string[] = [];
  const walk = (depth: number, offset: number) => {
    if (depth === rank - 1) {
      parts.push(`[${data.subarray(offset, offset + shape[depth]).join(',')}]`);
      return;
    }
    parts.push('[');
    for (let i = 0; i < shape[depth]; i++) {
      if (i > 0) parts.push(',');
      walk(depth + 1, offset + i * strides[depth]);
    }
    parts.push(']');
  };
  walk(0, 0);
  return parts.join('');
}
