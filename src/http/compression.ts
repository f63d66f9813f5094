// Answers compressed when the client's Accept-Encoding asks (brotli, gzip, deflate), through
// @fastify/compress. Its request decompression is off: request bodies are decompressed by
// transport/contentEncoding.ts, which stops a decompression bomb at the body limit without
// inflating the rest (the plugin's pipeline would go on inflating what nobody reads).
//
// Measured on a cross_entropy answer with per_sample and gradient (load of this machine): 383 B
// gzips 1.40× in 24 µs, 1,071 B 1.79× in 17 µs, 3.9 KB 2.15× in 41 µs, 507 KB 2.53× in 13 ms
// (brotli at quality 4: 2.45× in 8 ms). So answers from 1 KiB up are compressed, brotli at
// quality 4 (its default, 11, is ~20× slower). Binary v2 answers are not: random float32
// bytes gzip 1.10×, not worth the time.
import fp from 'fastify-plugin';
import compress from '@fastify/compress';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';

export const COMPRESS_THRESHOLD_BYTES = 1024;

async function compression(app: FastifyInstance) {
  await app.register(compress, {
    globalDecompression: false,
    threshold: COMPRESS_THRESHOLD_BYTES,
    encodings: ['br', 'gzip', 'deflate'],
    customTypes: /^application\/(json|problem\+json)\b/,
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
}

export default fp(compression, { name: 'compression', fastify: '5.x' });
