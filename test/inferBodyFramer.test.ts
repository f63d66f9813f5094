// InferBodyFramer, the pure framing of a binary infer body: bytes in, a header and chunks out,
// however the body is cut into pieces.
import { expect, test } from 'vitest';
import { InferBodyFramer, SHARED_CHUNK_BYTES } from '../src/http/v2/inferBodyFramer.ts';
import { ServiceError } from '../src/errors/catalog.ts';

const header = Buffer.from('{"inputs":[]}');
const chunkA = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
const chunkB = Buffer.from([9, 10, 11]);
const body = Buffer.concat([header, chunkA, chunkB]);

function framer(contentLength: number | null = body.length, limit = 1 << 20) {
  return new InferBodyFramer({
    headerLength: header.length,
    contentLength,
    limit,
    tooLarge: () => new ServiceError('payload_too_large', 'too large'),
    allocateShared: (n) => new SharedArrayBuffer(n),
  });
}

/** Feeds `pieces`, answering the header's sizes when the framer asks. */
function feedAll(f: InferBodyFramer, pieces: Buffer[], sizes = [chunkA.length, chunkB.length]) {
  for (const piece of pieces) {
    let off = 0;
    while (off < piece.length) {
      off += f.feed(piece.subarray(off));
      if (f.awaitingSizes) {
        expect(Buffer.from(f.headerBytes).toString()).toBe(header.toString());
        f.setChunkSizes(sizes);
      }
    }
  }
}

test('every way of cutting the body in two gives the same header and chunks, each in its own buffer', () => {
  for (let cut = 0; cut <= body.length; cut++) {
    const f = framer();
    feedAll(f, [body.subarray(0, cut), body.subarray(cut)]);
    const chunks = f.finish();
    expect(chunks.map((c) => [...c])).toEqual([[...chunkA], [...chunkB]]);
    expect(chunks.every((c) => c.byteOffset === 0 && c.buffer.byteLength === c.byteLength)).toBe(true);
  }
});

test('byte by byte', () => {
  const f = framer(null);
  feedAll(f, [...body].map((b) => Buffer.from([b])));
  expect(f.finish()).toHaveLength(2);
});

test('a body that ends early, inside the header or a chunk, and one with bytes past its chunks', () => {
  const early = framer(null);
  feedAll(early, [body.subarray(0, 5)]);
  expect(() => early.finish()).toThrow(/inside the 13-byte JSON header/);
  const short = framer(null);
  feedAll(short, [body.subarray(0, body.length - 1)]);
  expect(() => short.finish()).toThrow(/truncated: .* announce 11 bytes .* holds 10/);
  const long = framer(null);
  expect(() => feedAll(long, [Buffer.concat([body, Buffer.from([0])])])).toThrow(/extra bytes/);
});

test('sizes that disagree with Content-Length, or pass the limit, are refused when the header is read', () => {
  expect(() => feedAll(framer(body.length + 4), [body])).toThrow(/has extra bytes: 15 bytes follow/);
  expect(() => feedAll(framer(body.length - 4), [body])).toThrow(/truncated: 7 bytes follow/);
  expect(() => feedAll(framer(null, 20), [body])).toThrow('too large');
});

test('chunks of SHARED_CHUNK_BYTES or more go on shared memory', () => {
  const big = new InferBodyFramer({ headerLength: 2, contentLength: null, limit: 1 << 22, tooLarge: () => new ServiceError('payload_too_large', 'x'), allocateShared: (n) => new SharedArrayBuffer(n) });
  big.feed(Buffer.from('{}'));
  big.setChunkSizes([SHARED_CHUNK_BYTES, 4]);
  big.feed(Buffer.alloc(SHARED_CHUNK_BYTES + 4));
  const [a, b] = big.finish();
  expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(b.buffer).toBeInstanceOf(ArrayBuffer);
});
