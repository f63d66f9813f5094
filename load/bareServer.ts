// P1's anchor: a bare Fastify route that parses the same JSON body and answers as many numbers as
// the service does for it (a value, one per row, one per logit: 352 for cross_entropy [32, 10]),
// computed trivially from the body, so the anchor pays for printing them too (JSON's own cost).
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 1024 * 1024 * 1024 });
app.post('/loss', async (request) => {
  const { predictions } = request.body as { predictions: number[][] };
  const perSample = predictions.map((row) => row.reduce((a, b) => a + b, 0) / row.length);
  const gradient = predictions.map((row) => row.map((x) => x / 3));
  return { loss: 'cross_entropy', reduction: 'mean', value: perSample.reduce((a, b) => a + b, 0) / perSample.length, per_sample: perSample, gradient };
});
// P2's transfer anchor: the same binary body read into one buffer (the one copy the service makes
// of it too), answered with as many bytes as the service's answer (`?answer=<bytes>`); both
// buffers made once per size and reused, as the service reuses its own: what moving the bytes
// alone costs over loopback HTTP, no work.
const answers = new Map<number, Buffer>();
const bodies = new Map<number, Buffer>();
/** The buffer of `size` bytes kept in `kept`, made by `make` the first time. */
function kept(buffers: Map<number, Buffer>, size: number, make: () => Buffer): Buffer {
  const made = buffers.get(size) ?? make();
  buffers.set(size, made);
  return made;
}
app.addContentTypeParser('application/octet-stream', (request, payload, done) => {
  const length = Number(request.headers['content-length']);
  const body = kept(bodies, length, () => Buffer.alloc(length));
  let at = 0;
  payload.on('data', (c: Buffer) => {
    c.copy(body, at);
    at += c.length;
  });
  payload.on('end', () => done(null, body));
  payload.on('error', done);
});
app.post('/transfer', async (request, reply) => {
  const bytes = Number((request.query as { answer?: string }).answer ?? 0);
  const answer = kept(answers, bytes, () => Buffer.alloc(bytes, (request.body as Buffer)[0]));
  return reply.type('application/octet-stream').send(answer);
});
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(address);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
