// Where a small request's time goes, stage by stage: P1's request on one keep-alive connection
// (P0's pattern) to the service built in-process, with hooks added last that read
// reply.elapsedTime at each stage; then the same for a bare Fastify route (bareServer.ts's
// handler). Prints mean µs per stage; load/PROFILE.md has the table.
//   node load/smallRequestStages.ts [seconds]
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { timedLoop } from './support/latencyClient.ts';
import { smallLossBody } from './support/bodies.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const body = smallLossBody();
const quiet = { level: 'warn', stream: { write() {} } };
const STAGES = ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'onSend', 'onResponse'] as const;

async function stages(name: string, app: FastifyInstance) {
  const sums = new Map<string, number>(STAGES.map((s) => [s, 0]));
  let count = 0;
  let on = false;
  for (const stage of STAGES) {
    // Async hooks: one signature for every stage (preParsing and onSend take a payload too).
    app.addHook(stage as 'onRequest', async (_request, reply) => {
      if (on) sums.set(stage, sums.get(stage)! + reply.elapsedTime);
      if (on && stage === 'onResponse') count++;
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/loss`;
  await timedLoop(url, body, { 'content-type': 'application/json' }, 1, 2);
  on = true;
  const loop = await timedLoop(url, body, { 'content-type': 'application/json' }, 1, SECONDS);
  await app.close();
  let before = 0;
  const rows = STAGES.map((stage) => {
    const at = (sums.get(stage)! / count) * 1000;
    const row = `${stage.padEnd(14)} ${at.toFixed(1).padStart(6)} µs  (+${(at - before).toFixed(1)})`;
    before = at;
    return row;
  });
  console.log(`${name}: client p50 ${loop.p50us.toFixed(0)} µs, ${loop.rps.toFixed(0)} req/s; µs since routing at the end of each stage:\n  ${rows.join('\n  ')}`);
}

await stages('service', await buildApp({ logger: quiet, workers: 1 }));
const bare = Fastify({ loggerInstance: createLogger(quiet) as FastifyBaseLogger });
bare.post('/loss', async (request) => {
  const { predictions } = request.body as { predictions: number[][] };
  const perSample = predictions.map((row) => row.reduce((a, b) => a + b, 0) / row.length);
  const gradient = predictions.map((row) => row.map((x) => x / 3));
  return { loss: 'cross_entropy', reduction: 'mean', value: perSample.reduce((a, b) => a + b, 0) / perSample.length, per_sample: perSample, gradient };
});
await stages('bare Fastify route', bare);
