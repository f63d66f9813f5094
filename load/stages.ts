// A small request's cost stage by stage, in latency and in the service's CPU, beside the bare
// route's, and beside an earlier commit's with --against: P1's request on one keep-alive
// connection (P0's pattern) to the routes of stageRoutes.ts, which stop after each stage, in
// blocks of 0.25 s taken in turn across every route of every side, so that the machine's drift
// falls on all alike. Prints the medians of the blocks' p50 and the CPU per request.
//   node load/stages.ts [--against <commit>] [blocks, default 20]
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService, type RunningService } from './support/service.ts';
import { timedLoop } from './support/latencyClient.ts';
import { smallLossBody } from './support/bodies.ts';
import { median } from './support/timedRequest.ts';
import { worktreeOf } from './support/worktree.ts';

const args = process.argv.slice(2);
const againstAt = args.indexOf('--against');
const against = againstAt >= 0 ? args.splice(againstAt, 2)[1] : undefined;
const blocks = Number(args[0] ?? 20);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const body = smallLossBody();
const bodyFile = join(tmpdir(), 'stages-body.json');
writeFileSync(bodyFile, body);
const stageServer = (root: string) => startService({ SERVICE_ROOT: root, BODY_FILE: bodyFile }, here('./stageRoutes.ts'), null);

/** The service's CPU time so far (user + system, all threads), in µs. */
const cpuUs = (s: RunningService) => {
  const fields = readFileSync(`/proc/${s.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

const STAGES = [
  ['hooks, body read and parsed, tensors decoded', '/stage/parsed'],
  ['+ names resolved, request schema', '/stage/validated'],
  ['+ task prepared and computed', '/stage/computed'],
  ['+ answer printed (POST /loss, the whole path)', '/loss'],
] as const;

const sides: { name: string; service: RunningService }[] = [{ name: 'working tree', service: await stageServer(here('..')) }];
const old = against === undefined ? null : worktreeOf(against);
if (old !== null) sides.push({ name: old.sha.slice(0, 7), service: await stageServer(old.dir) });
const bare = await startService({}, here('./bareServer.ts'), null);
try {
  const targets = [
    ...STAGES.flatMap(([stage, path]) => sides.map((side) => ({ key: `${side.name} ${path}`, service: side.service, url: `${side.service.url}${path}`, stage }))),
    { key: 'bare', service: bare, url: `${bare.url}/loss`, stage: 'bare Fastify route (parses the body, prints 352 numbers)' },
  ];
  const seen = new Map(targets.map((t) => [t.key, { p50: [] as number[], cpu: 0, count: 0 }]));
  const headers = { 'content-type': 'application/json' };
  for (const t of targets) await timedLoop(t.url, body, headers, 1, 1); // warm-up
  for (let b = 0; b < blocks; b++) {
    for (const t of targets) {
      const c0 = cpuUs(t.service);
      const run = await timedLoop(t.url, body, headers, 1, 0.25);
      const s = seen.get(t.key)!;
      s.p50.push(run.p50us);
      s.cpu += cpuUs(t.service) - c0;
      s.count += run.count;
    }
  }
  const cell = (key: string) => {
    const s = seen.get(key)!;
    return `${median(s.p50).toFixed(0)} µs (CPU ${(s.cpu / s.count).toFixed(0)})`;
  };
  console.log(`| stage (cumulative) | ${sides.map((s) => s.name).join(' | ')} |\n|---|${sides.map(() => '---|').join('')}`);
  for (const [stage, path] of STAGES) console.log(`| ${stage} | ${sides.map((s) => cell(`${s.name} ${path}`)).join(' | ')} |`);
  console.log(`| bare Fastify route (parses, prints the same 352 numbers) | ${sides.map(() => cell('bare')).join(' | ')} |`);
  console.log(`\np50 of the client's round trip, median of ${blocks} blocks of 0.25 s; CPU: the service process's µs per request over all blocks.`);
} finally {
  for (const s of sides) await s.service.stop();
  await bare.stop();
}
