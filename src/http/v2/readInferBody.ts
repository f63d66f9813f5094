// Reads an infer request body from the socket without buffering it whole. With the binary
// tensor data extension the body is <JSON header><chunk 0><chunk 1>...: the header is parsed as
// soon as its Inference-Header-Content-Length bytes have arrived, and each binary chunk is then
// copied straight into its own freshly allocated buffer (offset 0, so aligned for any typed
// array). Peak memory is one copy of the tensors, not the two that Buffer.concat would make.
//
// Errors are collected while the rest of the body drains, so the client always reads a clean
// 400 rather than a reset connection; only a body over the limit stops the read at once (413).
import type { Readable } from 'node:stream';
import sjson from 'secure-json-parse';
import { ServiceError } from '../../errors/catalog.ts';
import { binaryChunkSizes, parseInferHeader } from '../../validation/decodeInferRequest.ts';
import type { InferRequestBody } from './schema.ts';
import { freshShared } from '../../pool/lossTask.ts';

export interface RawInferBody {
  header: InferRequestBody;
  /** Binary chunks in body order, one per input that has binary_data_size. */
  chunks: Uint8Array[];
}

export interface ReadOptions {
  /** Inference-Header-Content-Length, or null when the whole body is JSON. */
  headerLength: number | null;
  contentLength: number | null;
  limit: number;
  /** Where chunks of SHARED_CHUNK_BYTES or more come from (a request's buffer lease). */
  allocateShared?: (bytes: number) => SharedArrayBuffer;
}

const bad = (detail: string) => new ServiceError('bad_tensor_encoding', detail);

/** Chunks of at least this size are allocated on a SharedArrayBuffer. */
export const SHARED_CHUNK_BYTES = 1 << 20;

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return sjson.parse(bytes.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    throw new ServiceError('invalid_body', `${what} is not valid JSON: ${(err as Error).message}`);
  }
}

export function readInferBody(stream: Readable | null | undefined, { headerLength, contentLength, limit, allocateShared = freshShared }: ReadOptions): Promise<RawInferBody> {
  // Fastify runs no body parser for a request without a body: there is no stream to read.
  if (stream == null || typeof stream.on !== 'function') return Promise.reject(new ServiceError('invalid_body', 'the body is empty; send an inference request'));
  const tooLarge = () => new ServiceError('payload_too_large', `the request body exceeds the limit of ${limit} bytes`);
  if (contentLength !== null && contentLength > limit) return Promise.reject(tooLarge());
  if (headerLength === 0) {
    return Promise.reject(bad('Inference-Header-Content-Length: 0 (a raw binary request) needs a model with a single input; loss models take predictions and targets'));
  }
  if (headerLength !== null && contentLength !== null && headerLength > contentLength) {
    return Promise.reject(bad(`Inference-Header-Content-Length is ${headerLength} but the body has only ${contentLength} bytes`));
  }

  return new Promise((resolve, reject) => {
    let received = 0;
    let failure: ServiceError | null = null;
    // Whole-JSON bodies.
    const parts: Buffer[] = [];
    // Binary bodies.
    const headerBuf = headerLength === null ? null : Buffer.allocUnsafe(headerLength);
    let headerFill = 0;
    let header: InferRequestBody | null = null;
    let sizes: number[] = [];
    let total = 0; // Σ sizes: the bytes that must follow the header
    const chunks: Uint8Array[] = [];
    let chunkFill = 0;

    const startChunks = () => {
      header = parseInferHeader(parseJson(headerBuf!, 'the JSON header (the first Inference-Header-Content-Length bytes)'));
      sizes = binaryChunkSizes(header);
      total = sizes.reduce((a, b) => a + b, 0);
      if (headerLength! + total > limit) throw tooLarge();
      if (contentLength !== null && contentLength !== headerLength! + total) {
        const after = contentLength - headerLength!;
        throw bad(
          `${after < total ? 'the body is truncated' : 'the body has extra bytes'}: ${after} bytes follow the ${headerLength}-byte JSON header, but the inputs' binary_data_size values add up to ${total}`,
        );
      }
    };
    /** Moves to the next chunk that still needs bytes, allocating it. */
    const current = (): Uint8Array | null => {
      while (chunks.length <= sizes.length) {
        const last = chunks[chunks.length - 1];
        if (last !== undefined && chunkFill < last.length) return last;
        if (chunks.length === sizes.length) return null;
        const size = sizes[chunks.length];
        // Large chunks go on shared memory so that several workers can each take a range of them.
        chunks.push(new Uint8Array(size >= SHARED_CHUNK_BYTES ? allocateShared(size) : new ArrayBuffer(size)));
        chunkFill = 0;
      }
      return null;
    };

    const consume = (c: Buffer) => {
      received += c.length;
      if (received > limit) throw tooLarge();
      if (headerBuf === null) {
        parts.push(c);
        return;
      }
      let off = 0;
      if (header === null) {
        const n = Math.min(headerLength! - headerFill, c.length);
        c.copy(headerBuf, headerFill, 0, n);
        headerFill += n;
        off = n;
        if (headerFill < headerLength!) return;
        startChunks();
      }
      while (off < c.length) {
        const dest = current();
        if (dest === null) throw bad(`the body has extra bytes: it holds more than the JSON header and its binary_data_size values announce (${headerLength! + total})`);
        const n = Math.min(dest.length - chunkFill, c.length - off);
        dest.set(c.subarray(off, off + n), chunkFill);
        chunkFill += n;
        off += n;
      }
    };

    const finish = () => {
      if (headerBuf === null) {
        if (received === 0) throw new ServiceError('invalid_body', 'the body is empty; send an inference request');
        return { header: parseInferHeader(parseJson(Buffer.concat(parts), 'the body')), chunks: [] };
      }
      if (header === null) {
        throw bad(`the body ended after ${headerFill} bytes, inside the ${headerLength}-byte JSON header`);
      }
      if (current() !== null) {
        const got = received - headerLength!;
        throw bad(`the body is truncated: the binary_data_size values announce ${total} bytes after the JSON header, the body holds ${got}`);
      }
      return { header, chunks };
    };

    const onData = (c: Buffer) => {
      if (failure !== null) return; // draining after an error
      try {
        consume(c);
      } catch (err) {
        failure = err as ServiceError;
        if (failure.code === 'payload_too_large') {
          stream.off('data', onData);
          stream.resume();
          reject(failure);
        }
      }
    };
    stream.on('data', onData);
    let ended = false;
    stream.once('end', () => {
      ended = true;
      if (failure !== null) return reject(failure);
      try {
        resolve(finish());
      } catch (err) {
        reject(err);
      }
    });
    stream.once('error', (err) => reject(new ServiceError('invalid_body', `the request body could not be read: ${err.message}`)));
    // A client that disconnects mid-body: settle rather than wait for an 'end' that never comes.
    stream.once('close', () => {
      if (!ended) reject(new ServiceError('invalid_body', 'the client closed the connection before the body ended'));
    });
  });
}
