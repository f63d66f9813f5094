// Large tensors as JSON text in pieces, and the stream that writes an answer of pieces: the text
// of each piece is numberText.ts's (the numbers printed by numberText.wasm in ~50 ns each, where
// JSON.stringify took 90–120). Small answers take tensorText whole. (Binary tensors, on the v2
// route, skip the text altogether.)
import { Readable } from 'node:stream';
import type { FloatArray } from '../losses/types.ts';
import { tensorText } from './numberText.ts';

/** Numbers per piece of a streamed tensor: ~45 KB of text, ~0.1 ms of printing. With the chunks
 *  streamPieces gathers (64 KiB and a piece at most), no string of a streamed answer reaches V8's
 *  large-object space (128 KiB), whose allocations cost ~4 ns a byte here (numberText.ts). */
export const NUMBERS_PER_PIECE = 2048;

/** The same text as tensorText (numberText.ts), in pieces of about NUMBERS_PER_PIECE numbers, split along
 *  the first dimension: an answer of any size is written without one string holding all of it
 *  (V8's strings end at 2^29 characters). */
export function* jsonTensorPieces(data: FloatArray, shape: readonly number[]): Generator<string> {
  if (shape.length === 0) {
    yield tensorText(data, shape);
    return;
  }
  const rows = shape[0];
  const inner = rows === 0 ? 0 : data.length / rows;
  const rowsPerPiece = Math.max(1, Math.floor(NUMBERS_PER_PIECE / Math.max(1, inner)));
  const rest = shape.slice(1);
  yield '[';
  for (let r0 = 0; r0 < rows; r0 += rowsPerPiece) {
    const r1 = Math.min(rows, r0 + rowsPerPiece);
    const text = tensorText(data.subarray(r0 * inner, r1 * inner), [r1 - r0, ...rest]);
    yield (r0 === 0 ? '' : ',') + text.slice(1, -1);
  }
  yield ']';
}

/** The smallest chunk a streamed answer writes (but its last): small pieces (`[`, a field name,
 *  a bare value) are gathered into the next chunk instead of leaving as frames of a few bytes. */
export const MIN_CHUNK_CHARS = 64 * 1024;

/** A stream of `pieces`, gathered into chunks of at least MIN_CHUNK_CHARS, that lets the event
 *  loop run between two chunks. A socket on loopback drains as fast as it is written, so a stream
 *  of a synchronous generator would print the whole answer in one turn of the loop (400 ms for
 *  2.5M numbers, measured), and health probes would wait for it. */
export function streamPieces(pieces: Iterable<string>): Readable {
  return Readable.from(
    (async function* () {
      let pending = '';
      for (const piece of pieces) {
        pending += piece;
        if (pending.length < MIN_CHUNK_CHARS) continue;
        yield pending;
        pending = '';
        await new Promise((r) => setImmediate(r));
      }
      if (pending !== '') yield pending;
    })(),
    { objectMode: false },
  );
}
