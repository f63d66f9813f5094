// A JSON body from the socket to a document whose tensors are typed arrays, in bounded memory
// and without holding the event loop: admitted by the memory budget before a byte is read,
// scanned for depth as it arrives, and parsed on the main thread only when small (a megabyte
// parses in ~5 ms); larger bodies are parsed in a worker thread while the main thread goes on
// answering health probes and small requests.
import type { Readable } from 'node:stream';
import { ServiceError } from '../errors/catalog.ts';
import { parseJsonDocument, parseJsonText, takeTensors, type DocumentKind, type JsonDocument } from './jsonDocument.ts';
import { JsonScanner, measureJson, type JsonCounts } from './jsonScan.ts';
import type { MemoryBudget, Reservation } from './memoryBudget.ts';
import { readBody } from './readBody.ts';

/** Bodies up to this size are parsed on the main thread. */
export const INLINE_PARSE_BYTES = 1 << 20;

/** Before a body is scanned its memory is estimated at this many bytes per body byte (the
 *  buffer, the parsed document, the decoded tensors and their outputs, for numbers of ~10
 *  characters); the scan then sets the reservation to what the document needs. */
export const JSON_BYTES_PER_BODY_BYTE = 6;

/** Bodies up to this size are admitted without waiting for memory (jsonBody's small path). */
export const SMALL_BODY_BYTES = 64 * 1024;

/** What a chunked body (no Content-Length) reserves before its first byte. */
const CHUNKED_START_BYTES = 64 * 1024;

export type ParseInWorker = (bytes: Buffer, kind: DocumentKind, what: string) => Promise<JsonDocument>;

export interface JsonBodyOptions {
  kind: DocumentKind;
  /** Names the document in errors: `the body`, `the JSON header`. */
  what: string;
  contentLength: number | null;
  limit: number;
  limitName: string;
  budget: MemoryBudget;
  /** Takes the request's reservation (released when its answer has been sent). */
  hold: (reservation: Reservation) => void;
  parseInWorker: ParseInWorker;
  /** Discards the rest of the body after a refusal (a compressed body's decoder stops too). */
  discard?: () => void;
}

/** The memory a parsed document needs while it is served: the body, what JSON.parse makes of it,
 *  each number decoded to float64 and up to two float64 outputs per number. */
export function jsonBytesNeeded(bodyBytes: number, scan: JsonCounts): number {
  return bodyBytes + scan.parsedBytes(bodyBytes) + scan.values * 24;
}

/** Sets a reservation to what the scan says the document needs, or refuses with 413/503. */
export function settleReservation(budget: MemoryBudget, reservation: Reservation, need: number, what: string): void {
  if (need > budget.budget) throw budget.tooLarge(need, what);
  if (!reservation.tryResize(need)) throw budget.busy();
}

export async function readJsonDocument(stream: Readable, opts: JsonBodyOptions): Promise<JsonDocument> {
  const { budget, contentLength } = opts;
  if (contentLength !== null && contentLength > opts.limit) {
    throw new ServiceError('payload_too_large', `the request body exceeds ${opts.limitName} of ${opts.limit} bytes`);
  }
  // A small body is admitted or refused at once (a counter, no wait: its memory is freed within
  // milliseconds by others like it); a large one may wait for memory to free up.
  const small = contentLength !== null && contentLength <= SMALL_BODY_BYTES;
  const reservation =
    contentLength === null
      ? budget.acquireNow(CHUNKED_START_BYTES)
      : small
        ? budget.acquireNow(contentLength * JSON_BYTES_PER_BODY_BYTE, `this ${contentLength}-byte JSON body`)
        : await budget.acquire(contentLength * JSON_BYTES_PER_BODY_BYTE, `this ${contentLength}-byte JSON body`);
  opts.hold(reservation);
  const field = opts.what.replace(/^the /, '');
  // A small body is not scanned as it arrives: its parse is bounded by its size, and the walk
  // over what JSON.parse made of it (measureJson) bounds the depth and counts the same values.
  const scan = small ? null : new JsonScanner(field);
  const bytes = await readBody(stream, {
    contentLength,
    limit: opts.limit,
    limitName: opts.limitName,
    onChunk: scan === null ? undefined : (chunk) => scan.feed(chunk),
    reservation,
    bytesPerByte: JSON_BYTES_PER_BODY_BYTE,
    onBudgetExhausted: () => budget.busy(),
    discard: opts.discard,
  });
  if (scan === null) {
    // The tensors first (their decoders read at most rank 8 deep, whatever the nesting), then a
    // walk over what is left: the depth bound, and the counts with the tensors' own added.
    const doc = takeTensors(parseJsonText(bytes, opts.what), opts.kind);
    const counts = measureJson(doc.value, field);
    for (const t of doc.tensors.values()) {
      if (!('data' in t)) continue;
      const rows = t.shape.length < 2 ? 1 : t.data.length / Math.max(1, t.shape[t.shape.length - 1]);
      counts.containers += rows;
      counts.commas += t.data.length;
    }
    settleReservation(budget, reservation, jsonBytesNeeded(bytes.length, counts), `this ${bytes.length}-byte JSON body`);
    return doc;
  }
  settleReservation(budget, reservation, jsonBytesNeeded(bytes.length, scan), `this ${bytes.length}-byte JSON body`);
  return bytes.length <= INLINE_PARSE_BYTES ? parseJsonDocument(bytes, opts.kind, opts.what) : opts.parseInWorker(bytes, opts.kind, opts.what);
}
