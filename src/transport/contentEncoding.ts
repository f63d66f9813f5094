// Request bodies sent with Content-Encoding (gzip, deflate, br, zstd: what HTTP clients and
// Triton's client send) are decompressed as a stream on their way to the body readers, so every
// limit (bytes, depth, memory) applies to the decompressed bytes: a decompression bomb ends at
// the body limit with a 413, in bounded memory, and its compressed rest is discarded unread.
import type { Duplex, Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError } from '../errors/catalog.ts';

const decoders: Record<string, (() => Duplex) | undefined> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  zstd: typeof zlib.createZstdDecompress === 'function' ? () => zlib.createZstdDecompress() : undefined,
};

export const SUPPORTED_CODINGS = Object.keys(decoders).filter((c) => decoders[c] !== undefined && c !== 'x-gzip');

export interface DecodedStream {
  stream: Readable;
  /** True when the body was compressed: its Content-Length is not the length of what is read. */
  encoded: boolean;
  /** Stops decompressing and discards what is still arriving (after a refusal). */
  abandon(): void;
}

export function decodeContentEncoding(headers: IncomingHttpHeaders, payload: Readable): DecodedStream {
  const coding = String(headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return { stream: payload, encoded: false, abandon: () => payload.resume() };
  const make = decoders[coding];
  if (make === undefined) {
    throw new ServiceError('unsupported_media_type', `unsupported Content-Encoding ${JSON.stringify(coding)}: send the body as identity, ${SUPPORTED_CODINGS.join(', ')}`, {
      field: 'Content-Encoding',
    });
  }
  const decoder = make();
  payload.pipe(decoder);
  // pipe() passes neither a client's disconnect nor a read error on: the reader would wait.
  payload.once('close', () => {
    if (!payload.readableEnded) decoder.destroy(new Error('the client closed the connection before the body ended'));
  });
  payload.once('error', (err) => decoder.destroy(err));
  // A corrupt stream is the client's error; it surfaces through the reader's 'error' handler.
  return {
    stream: decoder,
    encoded: true,
    abandon: () => {
      payload.unpipe(decoder);
      decoder.destroy();
      payload.resume();
    },
  };
}
