// Tensors as JSON text, their numbers printed by numberText.wasm (numberText.c: the same text as
// JSON.stringify, in about a third of its time). One instance per thread, loaded at import; its
// memory is fixed (2 MiB, never grown), so the views made here stay valid.
import { readFileSync } from 'node:fs';
import type { FloatArray } from '../losses/types.ts';
import { toNestedArray } from '../losses/layout.ts';

declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

interface NumberTextExports {
  memory: { buffer: ArrayBuffer };
  heap_base(): number;
  pow5_table(): number;
  pow5_inv_table(): number;
  print_rows(input: number, rows: number, cols: number, brackets: number, out: number): number;
}

const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('./numberText.wasm', import.meta.url))), {}).exports as unknown as NumberTextExports;

// The powers of five, exact (numberText.c says which): two 64-bit words each, low word first.
function writePowersOfFive(): void {
  const split = new BigUint64Array(wasm.memory.buffer, wasm.pow5_table(), 2 * 326);
  const inverse = new BigUint64Array(wasm.memory.buffer, wasm.pow5_inv_table(), 2 * 342);
  const MASK = (1n << 64n) - 1n;
  let pow = 1n; // 5^i
  for (let i = 0; i < 342; i++) {
    const bits = pow.toString(2).length;
    if (i < 326) {
      const shift = bits - 125;
      const scaled = shift >= 0 ? pow >> BigInt(shift) : pow << BigInt(-shift);
      split[2 * i] = scaled & MASK;
      split[2 * i + 1] = scaled >> 64n;
    }
    const inv = (1n << BigInt(bits - 1 + 125)) / pow + 1n;
    inverse[2 * i] = inv & MASK;
    inverse[2 * i + 1] = inv >> 64n;
    pow *= 5n;
  }
}
writePowersOfFive();

/** Numbers per call: their float64s, and the text (at most 25 bytes a number and 3 a row, so
 *  under 112 KiB). Each call's text becomes a string of its own, and V8 puts a string of 128 KiB
 *  or more in its large-object space, whose fresh pages cost ~4 ns a byte on this machine (a
 *  300 KB string from a Buffer took 4.4 ns a byte, a 60 KB one 0.12): smaller calls, then one join. */
const CHUNK = 4096;
const IN = (wasm.heap_base() + 15) & ~15;
const OUT = IN + 8 * CHUNK;
const input = new Float64Array(wasm.memory.buffer, IN, CHUNK);
const output = Buffer.from(wasm.memory.buffer, OUT, 28 * CHUNK + 16);

/** `rows` rows of `cols` numbers of `data` from `from`, as print_rows writes them (cols ≤ CHUNK). */
function rowsText(data: FloatArray, from: number, rows: number, cols: number, brackets: boolean): string {
  const parts: string[] = [];
  const perCall = Math.max(1, Math.floor(CHUNK / cols));
  for (let r = 0; r < rows; r += perCall) {
    const n = Math.min(perCall, rows - r);
    const at = from + r * cols;
    input.set(data.subarray(at, at + n * cols));
    const bytes = wasm.print_rows(IN, n, cols, brackets ? 1 : 0, OUT);
    parts.push((r > 0 ? ',' : '') + output.toString('latin1', 0, bytes));
  }
  return parts.length === 1 ? parts[0] : parts.join('');
}

/** One number as JSON.stringify writes it. */
export function numberText(x: number): string {
  input[0] = x;
  return output.toString('latin1', 0, wasm.print_rows(IN, 1, 1, 0, OUT));
}

/** The tensor as nested JSON arrays: the text of JSON.stringify(toNestedArray(data, shape)). */
export function tensorText(data: FloatArray, shape: readonly number[]): string {
  if (shape.length === 0) return numberText(data[0]);
  // A dimension of 0: nothing to print but brackets.
  if (data.length === 0) return JSON.stringify(toNestedArray(data, shape));
  return nestedText(data, shape, 0, 0, data.length);
}

/** The sub-tensor at `depth` starting at `offset` (`size` numbers): an innermost matrix in one
 *  call (per CHUNK numbers), the dimensions above it in brackets around their parts. */
function nestedText(data: FloatArray, shape: readonly number[], depth: number, offset: number, size: number): string {
  const rank = shape.length;
  const cols = shape[rank - 1];
  if (depth === rank - 1) return `[${vectorText(data, offset, cols)}]`;
  if (depth === rank - 2 && cols <= CHUNK) return `[${rowsText(data, offset, shape[depth], cols, true)}]`;
  const n = shape[depth];
  const inner = size / n;
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) parts[i] = nestedText(data, shape, depth + 1, offset + i * inner, inner);
  return `[${parts.join(',')}]`;
}

/** n numbers from `from`, comma-separated, in calls of CHUNK. */
function vectorText(data: FloatArray, from: number, n: number): string {
  if (n <= CHUNK) return rowsText(data, from, 1, n, false);
  const parts: string[] = [];
  for (let k = 0; k < n; k += CHUNK) parts.push(rowsText(data, from + k, 1, Math.min(CHUNK, n - k), false));
  return parts.join(',');
}
