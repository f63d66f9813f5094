// Reads a request body off its stream into one buffer of its own (an ArrayBuffer that can be
// transferred to a worker), enforcing the byte limit as it goes and showing each chunk to an
// observer first (the JSON scanner, which can refuse a document before the rest arrives).
//
// A body of announced length gets exactly that many bytes up front. A chunked body (no
// Content-Length) grows by doubling, and each chunk's memory is reserved from the budget as it
// arrives: nothing is held that the budget did not grant.
import type { Readable } from 'node:stream';
import { ServiceError } from '../errors/catalog.ts';
import type { Reservation } from './memoryBudget.ts';
import { byteBuffer } from '../losses/arena.ts';

export interface ReadBodyOptions {
  contentLength: number | null;
  /** Bytes the body may have. */
  limit: number;
  /** What the limit is called in a 413 (`the JSON body limit (BODY_LIMIT)`). */
  limitName: string;
  /** Sees each chunk before it is stored; throwing refuses the body. */
  onChunk?: (chunk: Buffer) => void;
  /** For chunked bodies: grown by `bytesPerByte` for every byte that arrives. */
  reservation?: Reservation;
  bytesPerByte?: number;
  /** Turns a failed growth into the budget's refusal (503). */
  onBudgetExhausted?: () => ServiceError;
  /** Discards the rest of the body after a refusal (default: resume the stream). */
  discard?: () => void;
}

export const tooLargeFor = (limit: number, limitName: string) =>
  new ServiceError('payload_too_large', `the request body exceeds ${limitName} of ${limit} bytes`);

/** Resolves with the body; rejects at the first refusal, then discards the rest of the stream
 *  so the client can read the answer. A client that goes away settles the promise too. */
export function readBody(stream: Readable, opts: ReadBodyOptions): Promise<Buffer> {
  const { contentLength, limit, limitName } = opts;
  if (contentLength !== null && contentLength > limit) return Promise.reject(tooLargeFor(limit, limitName));
  return new Promise((resolve, reject) => {
    // A body of known length: a view on the arena's slab when small (it is parsed on this thread),
    // a buffer of its own when large (it may be transferred to a worker to be parsed).
    let buffer = contentLength !== null ? byteBuffer(contentLength) : Buffer.from(new ArrayBuffer(Math.min(limit, 64 * 1024)));
    let filled = 0;
    let settled = false;
    const fail = (err: ServiceError) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      (opts.discard ?? (() => stream.resume()))(); // what is still coming is not read

      reject(err);
    };
    const onData = (chunk: Buffer) => {
      try {
        if (filled + chunk.length > limit) throw tooLargeFor(limit, limitName);
        opts.onChunk?.(chunk);
        if (filled + chunk.length > buffer.length) {
          if (contentLength !== null) throw new ServiceError('invalid_body', `the body is longer than its Content-Length of ${contentLength} bytes`);
          const grown = Buffer.from(new ArrayBuffer(Math.min(limit, Math.max(buffer.length * 2, filled + chunk.length))));
          buffer.copy(grown, 0, 0, filled);
          buffer = grown;
        }
        if (contentLength === null && opts.reservation !== undefined && !opts.reservation.tryGrow(chunk.length * (opts.bytesPerByte ?? 1))) {
          throw opts.onBudgetExhausted?.() ?? new ServiceError('overloaded', 'out of memory for requests; retry shortly', { retryAfter: 1 });
        }
        chunk.copy(buffer, filled);
        filled += chunk.length;
      } catch (err) {
        fail(err as ServiceError);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => {
      if (settled) return;
      settled = true;
      if (contentLength !== null && filled !== contentLength) {
        reject(new ServiceError('invalid_body', `the body ended after ${filled} of its ${contentLength} bytes (Content-Length)`));
        return;
      }
      resolve(filled === buffer.length ? buffer : buffer.subarray(0, filled));
    });
    // Every request's stream closes after its end: the refusal is built only when it is one (an
    // error built per request, stack and all, cost 2.5% of the main thread under load).
    stream.once('error', (err) => settled || fail(new ServiceError('invalid_body', `the request body could not be read: ${err.message}`)));
    stream.once('close', () => settled || fail(new ServiceError('invalid_body', 'the client closed the connection before the body ended')));
  });
}
