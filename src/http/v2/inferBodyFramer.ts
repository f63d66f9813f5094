// The framing of an infer body with binary tensor data: <JSON header><chunk 0><chunk 1>...,
// the header Inference-Header-Content-Length bytes long and each chunk as long as its input's
// binary_data_size. Pure: bytes in, a header and chunks out, no stream and no I/O, so every way
// of cutting a body into pieces can be tested directly (test/inferBodyFramer.test.ts).
//
// Each chunk is copied straight into a buffer of its own (offset 0, so aligned for any typed
// array): peak memory is one copy of the tensors, not the two that Buffer.concat would make.
import { ServiceError } from '../../errors/catalog.ts';

/** Chunks of at least this size are allocated on a SharedArrayBuffer (several workers can then
 *  each take a range of one request). */
export const SHARED_CHUNK_BYTES = 1 << 20;

const bad = (detail: string) => new ServiceError('bad_tensor_encoding', detail);

export interface FramerOptions {
  headerLength: number;
  /** The body's announced length, or null (chunked transfer). */
  contentLength: number | null;
  /** Bytes the whole body may have. */
  limit: number;
  tooLarge: () => ServiceError;
  allocateShared: (bytes: number) => SharedArrayBuffer;
}

export class InferBodyFramer {
  readonly #opts: FramerOptions;
  readonly #header: Uint8Array;
  #headerFill = 0;
  #sizes: number[] | null = null;
  /** Σ sizes: the bytes that must follow the header. */
  #chunkBytes = 0;
  readonly #chunks: Uint8Array[] = [];
  /** The chunk being filled, and how many of its bytes are in. */
  #current = 0;
  #chunkFill = 0;
  #received = 0;

  constructor(opts: FramerOptions) {
    this.#opts = opts;
    this.#header = new Uint8Array(opts.headerLength);
  }

  /** True once the header's bytes are all in and the chunk sizes are still unknown. */
  get awaitingSizes(): boolean {
    return this.#headerFill === this.#header.length && this.#sizes === null;
  }

  get headerBytes(): Uint8Array {
    return this.#header;
  }

  /** Takes bytes of the body and returns how many it consumed: all of them, except when the
   *  header completes inside `bytes`; then the caller parses the header, calls setChunkSizes and
   *  feeds the rest. */
  feed(bytes: Uint8Array): number {
    let off = 0;
    if (this.#sizes === null) {
      const n = Math.min(this.#header.length - this.#headerFill, bytes.length);
      this.#header.set(bytes.subarray(0, n), this.#headerFill);
      this.#headerFill += n;
      this.#received += n;
      off = n;
      if (this.#headerFill === this.#header.length) return off;
    }
    while (off < bytes.length) {
      const dest = this.#nextChunk();
      if (dest === null) throw bad(`the body has extra bytes: it holds more than the JSON header and its binary_data_size values announce (${this.#header.length + this.#chunkBytes})`);
      const n = Math.min(dest.length - this.#chunkFill, bytes.length - off);
      dest.set(bytes.subarray(off, off + n), this.#chunkFill);
      this.#chunkFill += n;
      this.#received += n;
      off += n;
    }
    return off;
  }

  /** The binary_data_size of each binary input, in body order (read from the parsed header). */
  setChunkSizes(sizes: number[]): void {
    const { headerLength, contentLength, limit } = this.#opts;
    this.#sizes = sizes;
    this.#chunkBytes = sizes.reduce((a, b) => a + b, 0);
    if (headerLength + this.#chunkBytes > limit) throw this.#opts.tooLarge();
    if (contentLength !== null && contentLength !== headerLength + this.#chunkBytes) {
      const after = contentLength - headerLength;
      throw bad(
        `${after < this.#chunkBytes ? 'the body is truncated' : 'the body has extra bytes'}: ${after} bytes follow the ${headerLength}-byte JSON header, but the inputs' binary_data_size values add up to ${this.#chunkBytes}`,
      );
    }
  }

  /** Allocates every chunk now (they are otherwise allocated as the body reaches them), so that
   *  the request can be prepared while its bytes arrive. */
  allocateAll(): Uint8Array[] {
    for (let i = this.#chunks.length; i < this.#sizes!.length; i++) this.#chunks.push(this.#allocate(this.#sizes![i]));
    return this.#chunks;
  }

  /** Bytes of the chunks that are in (counted from the first chunk's start). */
  get chunkBytesIn(): number {
    return Math.max(0, this.#received - this.#header.length);
  }

  /** The chunks, once the body has ended; throws if it ended early. */
  finish(): Uint8Array[] {
    if (this.#headerFill < this.#header.length) {
      throw bad(`the body ended after ${this.#headerFill} bytes, inside the ${this.#header.length}-byte JSON header`);
    }
    if (this.#nextChunk() !== null) {
      throw bad(`the body is truncated: the binary_data_size values announce ${this.#chunkBytes} bytes after the JSON header, the body holds ${this.#received - this.#header.length}`);
    }
    return this.#chunks;
  }

  /** The chunk that still needs bytes (allocated when first reached), or null when all are full. */
  #nextChunk(): Uint8Array | null {
    const sizes = this.#sizes!;
    for (;;) {
      if (this.#current === sizes.length) return null;
      if (this.#chunks.length === this.#current) this.#chunks.push(this.#allocate(sizes[this.#current]));
      const chunk = this.#chunks[this.#current];
      if (this.#chunkFill < chunk.length) return chunk;
      this.#current++;
      this.#chunkFill = 0;
    }
  }

  #allocate(size: number): Uint8Array {
    return new Uint8Array(size >= SHARED_CHUNK_BYTES ? this.#opts.allocateShared(size) : new ArrayBuffer(size));
  }
}
