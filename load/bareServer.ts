// P1's anchor: a bare Fastify route that parses the same JSON body and answers as many numbers as
// the service does for it (a value, one per row, one per logit: 352 for cross_entropy [32, 10]),
// computed trivially from the body, so the anchor pays for printing them too (JSON's own cost).
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
app.post('/loss', async (request) => {
  const { predictions } = request.body as { predictions: number[][] };
  const perSample = predictions.map((row) => row.reduce((a, b) => a + b, 0) / row.length);
  const gradient = predictions.map((row) => row.map((x) => x / 3));
  return { loss: 'cross_entropy', reduction: 'mean', value: perSample.reduce((a, b) => a + b, 0) / perSample.length, per_sample: perSample, gradient };
});
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(address);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
