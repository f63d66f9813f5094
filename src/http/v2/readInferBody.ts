// Reads an infer request body off the socket through the memory budget: an all-JSON body as a
// JSON document (transport/jsonBody.ts, held to the JSON body limit), a body with binary tensor
// data through InferBodyFramer (held to the binary limit; its JSON header to the JSON limit,
// whatever length it announces). The header is parsed as soon as its bytes are in (in a worker
// when large) while the stream waits, then each chunk goes straight into its own buffer.
//
// Errors are answered while the rest of the body is discarded, so the client reads a clean
// 4xx rather than a reset connection.
import type { Readable } from 'node:stream';
import { ServiceError } from '../../errors/catalog.ts';
import { binaryChunkSizes, parseInferHeader } from '../../validation/decodeInferRequest.ts';
import type { InferRequestBody } from '../../validation/inferRequest.ts';
import { freshShared } from '../../pool/taskArrays.ts';
import { INLINE_PARSE_BYTES, JSON_BYTES_PER_BODY_BYTE, readJsonDocument, type ParseInWorker } from '../../transport/jsonBody.ts';
import { parseJsonDocument, type JsonDocument, type TakenTensor } from '../../transport/jsonDocument.ts';
import { JsonScanner } from '../../transport/jsonScan.ts';
import type { MemoryBudget, Reservation } from '../../transport/memoryBudget.ts';
import { BodyArrival } from '../../transport/bodyArrival.ts';
import { InferBodyFramer } from './inferBodyFramer.ts';

export interface RawInferBody {
  header: InferRequestBody;
  /** Binary chunks in body order, one per input that has binary_data_size. */
  chunks: Uint8Array[];
  /** JSON `data` already decoded (or its refusal), by input index. */
  jsonData: Map<number, TakenTensor>;
  /** Set when the body was handed over before its end (ReadInferOptions.early): the chunks are
   *  all allocated and fill in body order; this says how far, and whether the body ended well. */
  arrival: BodyArrival | null;
}

export interface ReadInferOptions {
  /** Inference-Header-Content-Length, or null when the whole body is JSON. */
  headerLength: number | null;
  contentLength: number | null;
  /** Largest body with binary data (BINARY_BODY_LIMIT). */
  binaryLimit: number;
  /** Largest all-JSON body, and largest JSON header (BODY_LIMIT). */
  jsonLimit: number;
  budget: MemoryBudget;
  /** Takes the request's reservation (released when its answer has been sent). */
  hold: (reservation: Reservation) => void;
  parseInWorker: ParseInWorker;
  /** Where chunks of SHARED_CHUNK_BYTES or more come from (a request's buffer lease). */
  allocateShared?: (bytes: number) => SharedArrayBuffer;
  /** Discards the rest of the body after a refusal (default: resume the stream). */
  discard?: () => void;
  /** Hand the body over as soon as its header is parsed, its chunks filling as the bytes arrive
   *  (RawInferBody.arrival). Only a body of known length is: its memory is reserved whole. */
  early?: boolean;
}

/** Before the header is read, a binary body is reserved at this many bytes per body byte: the
 *  chunks themselves and up to two outputs of the predictions' size. The route then sets the
 *  reservation to what the request really needs. */
export const BINARY_BYTES_PER_BODY_BYTE = 3;

const bad = (detail: string) => new ServiceError('bad_tensor_encoding', detail);
const JSON_LIMIT_NAME = 'the JSON body limit (BODY_LIMIT)';
const BINARY_LIMIT_NAME = 'the binary body limit (BINARY_BODY_LIMIT)';

function dataByInput(doc: JsonDocument): Map<number, TakenTensor> {
  const out = new Map<number, TakenTensor>();
  for (const [path, t] of doc.tensors) {
    const m = /^inputs\[(\d+)\]\.data$/.exec(path);
    if (m !== null) out.set(Number(m[1]), t);
  }
  return out;
}

export async function readInferBody(stream: Readable | null | undefined, opts: ReadInferOptions): Promise<RawInferBody> {
  // Fastify runs no body parser for a request without a body: there is no stream to read.
  if (stream == null || typeof stream.on !== 'function') throw new ServiceError('invalid_body', 'the body is empty; send an inference request');
  const { headerLength, contentLength, budget } = opts;
  if (headerLength === null) {
    const doc = await readJsonDocument(stream, {
      kind: 'infer',
      what: 'the body',
      contentLength,
      limit: opts.jsonLimit,
      limitName: JSON_LIMIT_NAME,
      budget,
      hold: opts.hold,
      parseInWorker: opts.parseInWorker,
      discard: opts.discard,
    });
    return { header: parseInferHeader(doc.value), chunks: [], jsonData: dataByInput(doc), arrival: null };
  }
  const tooLarge = () => new ServiceError('payload_too_large', `the request body exceeds ${BINARY_LIMIT_NAME} of ${opts.binaryLimit} bytes`);
  if (contentLength !== null && contentLength > opts.binaryLimit) throw tooLarge();
  if (headerLength === 0) throw bad('Inference-Header-Content-Length: 0 (a raw binary request) needs a model with a single input; loss models take predictions and targets');
  if (headerLength > opts.jsonLimit) {
    throw new ServiceError('payload_too_large', `the JSON header (Inference-Header-Content-Length: ${headerLength}) exceeds ${JSON_LIMIT_NAME} of ${opts.jsonLimit} bytes`);
  }
  if (contentLength !== null && headerLength > contentLength) throw bad(`Inference-Header-Content-Length is ${headerLength} but the body has only ${contentLength} bytes`);

  const reservation =
    contentLength !== null
      ? await budget.acquire(contentLength * BINARY_BYTES_PER_BODY_BYTE, `this ${contentLength}-byte body`)
      : budget.acquireNow(headerLength * JSON_BYTES_PER_BODY_BYTE, `a ${headerLength}-byte JSON header`);
  opts.hold(reservation);
  return readFramed(stream, headerLength, contentLength, reservation, tooLarge, opts);
}

function readFramed(
  stream: Readable,
  headerLength: number,
  contentLength: number | null,
  reservation: Reservation,
  tooLarge: () => ServiceError,
  opts: ReadInferOptions,
): Promise<RawInferBody> {
  const framer = new InferBodyFramer({ headerLength, contentLength, limit: opts.binaryLimit, tooLarge, allocateShared: opts.allocateShared ?? freshShared });
  const scan = new JsonScanner('JSON header');
  let header: InferRequestBody | null = null;
  let jsonData = new Map<number, TakenTensor>();
  let received = 0;
  let arrival: BodyArrival | null = null;
  let handOver: ((body: RawInferBody) => void) | null = null;

  const parseHeader = async () => {
    const bytes = framer.headerBytes;
    const what = 'the JSON header (the first Inference-Header-Content-Length bytes)';
    const doc = bytes.length <= INLINE_PARSE_BYTES ? parseJsonDocument(bytes, 'infer', what) : await opts.parseInWorker(Buffer.from(bytes.buffer), 'infer', what);
    header = parseInferHeader(doc.value);
    jsonData = dataByInput(doc);
    framer.setChunkSizes(binaryChunkSizes(header));
    if (opts.early === true && contentLength !== null) {
      arrival = new BodyArrival();
      handOver!({ header, chunks: framer.allocateAll(), jsonData, arrival });
    }
  };

  return new Promise((resolve, reject) => {
    handOver = resolve;
    let settled = false;
    let parsing = false;
    let ended = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      (opts.discard ?? (() => stream.resume()))(); // what is still coming is not read
      if (arrival !== null) arrival.fail(err);
      else reject(err);
    };
    const finish = () => {
      if (settled) return;
      try {
        const chunks = framer.finish();
        settled = true;
        if (arrival !== null) arrival.end();
        else resolve({ header: header!, chunks, jsonData, arrival: null });
      } catch (err) {
        fail(err);
      }
    };
    /** Feeds `c` from `off`; pauses the stream while the header is parsed. */
    const feed = (c: Buffer, off: number) => {
      while (off < c.length) {
        const headerMissing = header === null ? headerLength - received : 0;
        const n = framer.feed(c.subarray(off));
        if (headerMissing > 0) scan.feed(c.subarray(off, off + Math.min(n, headerMissing)));
        received += n;
        off += n;
        arrival?.advance(framer.chunkBytesIn);
        if (framer.awaitingSizes) {
          parsing = true;
          stream.pause();
          parseHeader().then(
            () => {
              parsing = false;
              try {
                feed(c, off);
              } catch (err) {
                return fail(err);
              }
              if (ended) finish();
              else stream.resume();
            },
            fail,
          );
          return;
        }
      }
    };
    const onData = (c: Buffer) => {
      if (settled) return;
      try {
        if (received + c.length > opts.binaryLimit) throw tooLarge();
        if (contentLength === null && !reservation.tryGrow(c.length * BINARY_BYTES_PER_BODY_BYTE)) throw opts.budget.busy();
        feed(c, 0);
      } catch (err) {
        fail(err);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => {
      ended = true;
      if (!parsing) finish();
    });
    stream.once('error', (err) => fail(new ServiceError('invalid_body', `the request body could not be read: ${err.message}`)));
    // A client that disconnects mid-body: settle rather than wait for an 'end' that never comes.
    stream.once('close', () => {
      if (!ended) fail(new ServiceError('invalid_body', 'the client closed the connection before the body ended'));
    });
  });
}
