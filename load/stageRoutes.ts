// The service with three more routes that stop a small POST /loss after a stage and answer the
// full answer's text, computed once at start (load/stages.ts measures them against each other):
//   /stage/parsed     the hooks, the body read, parsed and its tensors decoded;
//   /stage/validated  and the names resolved and the request schema checked;
//   /stage/computed   and the task prepared and computed (the answer not printed).
// POST /loss itself is the whole path. SERVICE_ROOT picks the checkout whose src/ is served (an
// earlier commit's worktree: its modules must have these names). Prints the port it listens on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const root = process.env.SERVICE_ROOT ?? join(import.meta.dirname, '..');
const at = (path: string) => import(join(root, 'src', path));
const [{ buildApp }, { findLoss }, { tensorAt }, { prepareLossTask, slotTensors }, { resolveLossRequestNames }, { LossRequest }] = await Promise.all([
  at('app.ts'),
  at('losses/registry.ts'),
  at('transport/jsonDocument.ts'),
  at('validation/prepareLossTask.ts'),
  at('validation/lossRequestNames.ts'),
  at('http/loss/schema.ts'),
]);

const app: FastifyInstance = await buildApp({ logger: false });
if (process.env.BODY_FILE === undefined) throw new Error('BODY_FILE names the request body to serve');
const body = readFileSync(process.env.BODY_FILE, 'utf8');
let answer = '';
const send = async (_request: FastifyRequest, reply: { type(t: string): { send(s: string): unknown } }) => reply.type('application/json').send(answer);
const names = (request: FastifyRequest, _reply: unknown, done: () => void) => {
  resolveLossRequestNames(request.body as Record<string, unknown>, request.jsonTensors ?? undefined);
  done();
};
app.post('/stage/parsed', send);
app.post('/stage/validated', { schema: { body: LossRequest }, preValidation: names }, send);
app.post('/stage/computed', { schema: { body: LossRequest }, preValidation: names }, async (request, reply) => {
  // POST /loss's handler up to its answer (src/http/loss/route.ts).
  const b = request.body as { loss: string; params: unknown; reduction: string; include: string[] };
  const def = findLoss(b.loss);
  const tensor = (path: string) => tensorAt({ tensors: request.jsonTensors ?? new Map() }, path);
  const task = prepareLossTask({ def, ...slotTensors(def, tensor), params: b.params, reduction: b.reduction, wantPerSample: b.include.includes('per_sample'), wantGradient: b.include.includes('gradient'), regularization: null });
  await app.lossPool.run(task);
  return send(request, reply);
});
await app.ready();
answer = (await app.inject({ method: 'POST', url: '/loss', payload: body, headers: { 'content-type': 'application/json' } })).body;
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${(app.server.address() as { port: number }).port}`);
