// npm run bench: every benchmark of the performance issue, each beside its anchor in the same
// run, written to load/RESULTS.md. Loopback only; every run bounded in time and count.
//   P0  a training loop's pattern: one connection sending P1's request again and again, p50 and
//       p99 latency timed by the client, vs the bare route and the FastAPI peer
//   P1  small requests: POST /loss 32x10 cross_entropy vs a bare Fastify route printing the same
//       352 numbers, and vs FastAPI + uvicorn + PyTorch (autocannon)
//   P2  large requests: binary v2 end to end vs PyTorch forward+backward in-process (2 threads)
//   P3  head-of-line blocking: P1's p99 (timed with process.hrtime) while two clients send P2's
//       requests vs P1's p99 alone
//   P4  memory: peak RSS for one 64M-element FP32 binary request vs the payload
//   kernels: ns per element, forward+backward, ~1M elements, one thread, FP64 and FP32 inputs vs
//       PyTorch float64 and float32 (1 thread)
//   check: POST /check on cross_entropy [1000, 10] with a user's own summed loss and gradient
//       (target: under 200 ms; the check runs on the main thread, one core)
//   --against <commit>: P1 and P2 of an earlier commit (a git worktree) beside the working tree,
//       in the same run, so that a change's cost is known before it lands
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService, memoryOf, type RunningService } from './support/service.ts';
import { cannon } from './support/measure.ts';
import { startFastApiPeer } from './support/fastapiPeer.ts';
import { timedLoop } from './support/latencyClient.ts';
import { timedRequest, median } from './support/timedRequest.ts';
import { classificationData, smallLossBody, v2BinaryBody } from './support/bodies.ts';
import { worktreeOf } from './support/worktree.ts';
import { lossData } from './support/lossData.ts';
import { parseInferResponse } from './support/v2client.ts';
import { losses } from '../src/losses/registry.ts';
import { computeLoss } from '../src/pool/computeLoss.ts';
import { SharedBufferPool } from '../src/pool/bufferPool.ts';
import { prepareLossTask, reductionsOf, slotTensors } from '../src/validation/prepareLossTask.ts';
import { kernelSlots, tensorInputs } from '../src/losses/types.ts';
import { rng } from './support/random.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const tmp = mkdtempSync(join(tmpdir(), 'loss-bench-'));
const sections: string[] = [];
const log = (s: string) => console.log(s);
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
const SERVICE_ENV = { LOG_LEVEL: 'warn', BODY_LIMIT: String(2 ** 30), BINARY_BODY_LIMIT: String(2 ** 31 - 1), REQUEST_DEADLINE_MS: '0' };

// ---------------------------------------------------------------------------------------------
// PyTorch, in-process in its own Python, on the same tensors written to files.
function writeTensor(name: string, data: ArrayBufferView): string {
  const file = join(tmp, name);
  writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return file;
}
/** PyTorch's forward and backward of `loss` on these tensors, in the predictions' dtype (float32
 *  or float64); float targets are written as float32 and cast to it, class indices as int64. */
function pytorch(loss: string, threads: number, repeats: number, pred: Float32Array | Float64Array, predShape: number[], target: Float32Array | BigInt64Array, targetShape: number[]) {
  const args = [
    fileURLToPath(new URL('./pytorch_reference.py', import.meta.url)),
    loss,
    String(threads),
    String(repeats),
    writeTensor('pred.bin', pred),
    predShape.join(','),
    writeTensor('target.bin', target),
    target instanceof BigInt64Array ? 'int64' : 'float32',
    targetShape.join(','),
    pred instanceof Float64Array ? 'float64' : 'float32',
  ];
  return JSON.parse(execFileSync('/usr/bin/python3', args, { encoding: 'utf8', timeout: 300_000 })) as { median_ms: number; min_ms: number; value: number };
}

/** PyTorch's forward and backward of a loss of several inputs (NAMED in pytorch_reference.py):
 *  each input by the service's name, in float32 or float64 (integer ones as int64), the gradient
 *  taken with respect to the `grad` ones. */
function pytorchNamed(loss: string, repeats: number, inputs: { name: string; data: Float32Array | Float64Array | BigInt64Array; shape: number[]; grad: boolean }[], params: Record<string, unknown>) {
  const dtype = (d: Float32Array | Float64Array | BigInt64Array) => (d instanceof BigInt64Array ? 'int64' : d instanceof Float64Array ? 'float64' : 'float32');
  const spec = { inputs: inputs.map((i) => ({ name: i.name, file: writeTensor(`${i.name}.bin`, i.data), dtype: dtype(i.data), shape: i.shape, grad: i.grad })), params };
  const specFile = join(tmp, 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  const args = [fileURLToPath(new URL('./pytorch_reference.py', import.meta.url)), loss, '1', String(repeats), '--named', specFile];
  return JSON.parse(execFileSync('/usr/bin/python3', args, { encoding: 'utf8', timeout: 300_000 })) as { median_ms: number; min_ms: number; value: number };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

// ---------------------------------------------------------------------------------------------
async function p1(service: RunningService) {
  log('P1: small requests');
  const bare = await startService({}, fileURLToPath(new URL('./bareServer.ts', import.meta.url)), null);
  try {
    const body = smallLossBody();
    const run = (url: string) => cannon({ url: `${url}/loss`, body, headers: JSON_HEADERS, connections: 10, duration: SECONDS });
    await run(service.url); // warm-up, both
    await run(bare.url);
    // Three pairs, each side in turn: the ratio is the median of the pairs' ratios, so that one run
    // the host's load slowed (±30% within minutes here) does not decide it.
    const pairs: { a: Awaited<ReturnType<typeof run>>; b: Awaited<ReturnType<typeof run>> }[] = [];
    for (let i = 0; i < 3; i++) pairs.push({ a: await run(service.url), b: await run(bare.url) });
    const svc = pairs.reduce((s, p) => s + p.a.rps, 0) / pairs.length;
    const anchor = pairs.reduce((s, p) => s + p.b.rps, 0) / pairs.length;
    const r = median(pairs.map((p) => p.a.rps / p.b.rps));
    // Diagnostic: the same request asking for the value only, so the answer holds one number
    // instead of 352 (per_sample and gradient): everything else of the path stays.
    const valueOnly = JSON.stringify({ ...JSON.parse(body), include: [] });
    const v = await cannon({ url: `${service.url}/loss`, body: valueOnly, headers: JSON_HEADERS, connections: 10, duration: SECONDS });
    const bare3 = await run(bare.url);
    // The peer a Python user would write, same body, same answer (FastAPI + uvicorn + PyTorch).
    const peer = await startFastApiPeer(body);
    let peerRow = `| FastAPI + uvicorn (uvloop, httptools, 2 workers) + PyTorch | skipped: ${'skipped' in peer ? peer.skipped : ''} | | |\n`;
    let peerRatio = 'not measured';
    if (!('skipped' in peer)) {
      try {
        await run(peer.url); // warm-up
        const f = await run(peer.url);
        const a3 = await run(service.url);
        peerRow = `| FastAPI + uvicorn (uvloop, httptools, 2 workers) + PyTorch | ${f.rps.toFixed(0)} | ${f.rps.toFixed(0)} | ${f.p99} |\n| service POST /loss, run 4 (after the peer) | ${a3.rps.toFixed(0)} | ${a3.rps.toFixed(0)} | ${a3.p99} |\n`;
        peerRatio = `**${(a3.rps / f.rps).toFixed(1)}×** (target ≥ 8×: ${verdict(a3.rps / f.rps >= 8)})`;
        log(`  FastAPI peer ${f.rps.toFixed(0)} req/s, service ${a3.rps.toFixed(0)} (${(a3.rps / f.rps).toFixed(1)}×)`);
      } finally {
        await peer.stop();
      }
    }
    sections.push(
      `## P1: small requests\n\nPOST /loss, cross_entropy [32, 10] with per_sample and gradient (${body.length} bytes), 10 connections, ${SECONDS} s per run, ` +
        `three runs each alternating after a warm-up (the ratio: the median of the three pairs' ratios), against a bare Fastify route in a separate process that parses the same body and answers the same 352 numbers ` +
        `(a value, one per row, one per logit, computed trivially), and against the FastAPI peer (\`load/fastapi_peer.py\`: the same request computed by PyTorch in float64).\n\n` +
        `| | req/s (runs 1, 2, 3) | mean req/s | p99 ms |\n|---|---|---|---|\n` +
        `| service POST /loss | ${pairs.map((p) => p.a.rps.toFixed(0)).join(', ')} | ${svc.toFixed(0)} | ${Math.max(...pairs.map((p) => p.a.p99))} |\n` +
        `| bare Fastify route | ${pairs.map((p) => p.b.rps.toFixed(0)).join(', ')} | ${anchor.toFixed(0)} | ${Math.max(...pairs.map((p) => p.b.p99))} |\n` +
        `| diagnostic: service, same request with include [] (value only) | ${v.rps.toFixed(0)} | ${v.rps.toFixed(0)} | ${v.p99} |\n` +
        `| bare Fastify route, run 4 | ${bare3.rps.toFixed(0)} | ${bare3.rps.toFixed(0)} | ${bare3.p99} |\n` +
        peerRow +
        `\nRatio service / bare: **${r.toFixed(2)}** (target ≥ 0.85: ${verdict(r >= 0.85)}). Value only / bare (run 4): ${(v.rps / bare3.rps).toFixed(2)}. ` +
        `Service / FastAPI peer: ${peerRatio}.\n`,
    );
    log(`  service ${svc.toFixed(0)} req/s, bare ${anchor.toFixed(0)} req/s, ratio ${r.toFixed(2)}; value only ${v.rps.toFixed(0)} req/s vs bare ${bare3.rps.toFixed(0)} (${(v.rps / bare3.rps).toFixed(2)})`);
    return body;
  } finally {
    await bare.stop();
  }
}

// ---------------------------------------------------------------------------------------------
/** P0: one connection, one request after another, each timed by the client (a training loop). */
async function p0(service: RunningService, body: string) {
  log('P0: one connection, requests back to back');
  const bare = await startService({}, fileURLToPath(new URL('./bareServer.ts', import.meta.url)), null);
  const peer = await startFastApiPeer(body);
  try {
    const loop = (url: string, seconds = SECONDS) => timedLoop(`${url}/loss`, body, JSON_HEADERS, 1, seconds);
    await loop(service.url);
    await loop(bare.url);
    // The two sides in turn, in blocks of a tenth of the time, so that the machine's drift (its
    // host's load moves the figures by ±30% within minutes) falls on both alike; the ratio is the
    // median of the blocks' ratios, the latencies the medians of the blocks'.
    const blocks: { svc: Awaited<ReturnType<typeof loop>>; anchor: Awaited<ReturnType<typeof loop>> }[] = [];
    for (let i = 0; i < 10; i++) blocks.push({ svc: await loop(service.url, SECONDS / 10), anchor: await loop(bare.url, SECONDS / 10) });
    const medianOf = (f: (b: (typeof blocks)[number]) => number) => median(blocks.map(f));
    const svc = { rps: medianOf((b) => b.svc.rps), p50us: medianOf((b) => b.svc.p50us), p99us: medianOf((b) => b.svc.p99us) };
    const anchor = { rps: medianOf((b) => b.anchor.rps), p50us: medianOf((b) => b.anchor.p50us), p99us: medianOf((b) => b.anchor.p99us) };
    const r = medianOf((b) => b.svc.p50us / b.anchor.p50us);
    let fastapi: Awaited<ReturnType<typeof loop>> | null = null;
    if (!('skipped' in peer)) {
      await loop(peer.url); // warm-up
      fastapi = await loop(peer.url);
    }
    const us = (v: number) => v.toFixed(0);
    sections.push(
      `## P0: one connection, requests back to back\n\nP1's request sent on one keep-alive connection, the next when the answer has fully arrived ` +
        `(a training loop's pattern), every request timed with \`process.hrtime\` by the client: after a warm-up, ten blocks of ${SECONDS / 10} s on each side in turn ` +
        `(the service's and the bare route's figures are the medians of their blocks'; the ratio is the median of the ten blocks' ratios).\n\n` +
        `| | req/s | p50 µs | p99 µs |\n|---|---|---|---|\n` +
        `| service POST /loss | ${svc.rps.toFixed(0)} | ${us(svc.p50us)} | ${us(svc.p99us)} |\n` +
        `| bare Fastify route | ${anchor.rps.toFixed(0)} | ${us(anchor.p50us)} | ${us(anchor.p99us)} |\n` +
        (fastapi === null ? `| FastAPI peer | skipped: ${'skipped' in peer ? peer.skipped : ''} | | |\n` : `| FastAPI + uvicorn + PyTorch | ${fastapi.rps.toFixed(0)} | ${us(fastapi.p50us)} | ${us(fastapi.p99us)} |\n`) +
        `\np50 service / bare: **${r.toFixed(2)}** (target ≤ 1.3: ${verdict(r <= 1.3)}).\n`,
    );
    log(`  p50 service ${us(svc.p50us)} µs, bare ${us(anchor.p50us)} µs (${r.toFixed(2)}); p99 ${us(svc.p99us)} vs ${us(anchor.p99us)}`);
  } finally {
    await bare.stop();
    if (!('skipped' in peer)) await peer.stop();
  }
}

// ---------------------------------------------------------------------------------------------
/** The service of an earlier commit, from a git worktree beside this checkout (its dependencies
 *  installed with npm ci, or this checkout's when its lockfile is the same). */
async function startAgainst(commit: string): Promise<{ service: RunningService; sha: string; remove(): void }> {
  const { dir, sha, remove } = worktreeOf(commit);
  const service = await startService(SERVICE_ENV, join(dir, 'src/server.ts'));
  return { service, sha, remove };
}

/** P1 and P2 of the working tree and of `commit`, alternating, in one run. */
async function against(service: RunningService, commit: string, body: string, cases: LargeCase[]) {
  log(`--against ${commit}`);
  const other = await startAgainst(commit);
  try {
    const run = (url: string) => cannon({ url: `${url}/loss`, body, headers: JSON_HEADERS, connections: 10, duration: SECONDS });
    await run(service.url);
    await run(other.service.url);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < 2; i++) {
      ours.push((await run(service.url)).rps);
      theirs.push((await run(other.service.url)).rps);
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const p1Ratio = mean(ours) / mean(theirs);
    const rows = [`| P1 req/s (two runs each, alternating) | ${ours.map((v) => v.toFixed(0)).join(', ')} | ${theirs.map((v) => v.toFixed(0)).join(', ')} | ${p1Ratio.toFixed(2)}× |`];
    for (const c of cases) {
      // One request to each in turn, after a warm-up of each: a disturbance of the machine falls
      // on both sides alike (five of one and then five of the other put it on one side).
      const urls = [service.url, other.service.url].map((u) => `${u}/v2/models/${c.loss}/infer`);
      for (const url of urls) await timedRequest(url, c.request.body, c.request.headers);
      const times: [number[], number[]] = [[], []];
      for (let i = 0; i < 5; i++) for (const [k, url] of urls.entries()) times[k].push((await timedRequest(url, c.request.body, c.request.headers)).ms);
      const [a, b] = times.map(median);
      rows.push(`| P2 ${c.label}, ms (median of 5, alternating) | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)}× faster |`);
    }
    sections.push(
      `## Against ${other.sha.slice(0, 7)}\n\nThe working tree and commit ${other.sha.slice(0, 7)} (a git worktree, its own service process), measured alternately ` +
        `in this run with the same bodies. P1: req/s of the working tree / ${other.sha.slice(0, 7)}'s (target ≥ 1.2 against 6e81386). P2: how many times faster the working tree is.\n\n` +
        `| | working tree | ${other.sha.slice(0, 7)} | working tree vs ${other.sha.slice(0, 7)} |\n|---|---|---|---|\n${rows.join('\n')}\n`,
    );
    log(`  P1 ${mean(ours).toFixed(0)} vs ${mean(theirs).toFixed(0)} req/s (${p1Ratio.toFixed(2)}×)`);
  } finally {
    await other.service.stop();
    other.remove();
  }
}

// ---------------------------------------------------------------------------------------------
/** POST /check on [1000, 10]: the user's own cross-entropy, summed where the reference averages. */
async function checkRow(service: RunningService) {
  log('check: POST /check [1000, 10]');
  const { logits, labels } = classificationData(1000, 10, 5);
  const x = Array.from({ length: 1000 }, (_, i) => Array.from(logits.subarray(i * 10, i * 10 + 10)));
  const y = Array.from(labels, Number);
  let value = 0;
  const gradient = x.map((row, i) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    value += Math.log(s) + m - row[y[i]];
    return e.map((v, c) => v / s - (c === y[i] ? 1 : 0));
  });
  const body = JSON.stringify({ loss: 'cross_entropy', predictions: x, targets: y, yours: { value, gradient } });
  const url = `${service.url}/check`;
  await timedRequest(url, Buffer.from(body), JSON_HEADERS);
  const times: number[] = [];
  let answer = '';
  for (let i = 0; i < 5; i++) {
    const t = await timedRequest(url, Buffer.from(body), JSON_HEADERS);
    if (t.status !== 200) throw new Error(`check: ${t.status} ${t.body.subarray(0, 200)}`);
    times.push(t.ms);
    const a = JSON.parse(t.body.toString()) as { verdict: string; explanation: { id: string }[] };
    answer = `${a.verdict} (${a.explanation.map((e) => e.id).join(', ')})`;
  }
  const ms = median(times);
  sections.push(
    `## POST /check\n\ncross_entropy [1000, 10] with class indices, the user's own loss summed where PyTorch averages (value and gradient sent, ${(body.length / 1024).toFixed(0)} KiB), ` +
      `end to end over HTTP, median of 5 after a warm-up; the check runs on the main thread (one core).\n\n| request | ms | answer |\n|---|---|---|\n` +
      `| POST /check [1000, 10] | **${ms.toFixed(0)}** (target < 200: ${verdict(ms < 200)}) | ${answer} |\n`,
  );
  log(`  ${ms.toFixed(0)} ms: ${answer}`);
}

// ---------------------------------------------------------------------------------------------
interface LargeCase {
  label: string;
  loss: string;
  request: { body: Buffer; headers: Record<string, string> };
  pred: Float32Array;
  predShape: number[];
  target: Float32Array | BigInt64Array;
  targetShape: number[];
}

function largeCases(): LargeCase[] {
  const { logits, labels } = classificationData(1_000_000, 10);
  const ce: LargeCase = {
    label: 'cross_entropy [1M, 10] FP32, INT64 targets',
    loss: 'cross_entropy',
    pred: logits,
    predShape: [1_000_000, 10],
    target: labels,
    targetShape: [1_000_000],
    request: v2BinaryBody(
      [
        { name: 'predictions', shape: [1_000_000, 10], datatype: 'FP32', data: logits },
        { name: 'targets', shape: [1_000_000], datatype: 'INT64', data: labels },
      ],
      {},
      ['value', 'gradient'],
    ),
  };
  const n = 10_000_000;
  const r = rng(5);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = r.normal() * 2;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = r.uniform();
  const elementwise = (loss: string): LargeCase => ({
    label: `${loss} [10M] FP32`,
    loss,
    pred: x,
    predShape: [n],
    target: y,
    targetShape: [n],
    request: v2BinaryBody(
      [
        { name: 'predictions', shape: [n], datatype: 'FP32', data: x },
        { name: 'targets', shape: [n], datatype: 'FP32', data: y },
      ],
      {},
      ['value', 'gradient'],
    ),
  });
  return [ce, elementwise('mse'), elementwise('bce_with_logits')];
}

async function p2(service: RunningService, cases: LargeCase[]) {
  log('P2: large requests');
  const measured: { c: LargeCase; ours: number; bare: number; torch: { median_ms: number; value: number }; value: number }[] = [];
  // The transfer anchor: the same body to a bare route that reads it and answers as many bytes,
  // alternating with the service's requests.
  const bareRoute = await startService({}, fileURLToPath(new URL('./bareServer.ts', import.meta.url)), null);
  try {
    for (const c of cases) {
      const url = `${service.url}/v2/models/${c.loss}/infer`;
      const warm = await timedRequest(url, c.request.body, c.request.headers);
      const bareUrl = `${bareRoute.url}/transfer?answer=${warm.body.length}`;
      await timedRequest(bareUrl, c.request.body, c.request.headers);
      const times: number[] = [];
      const bareTimes: number[] = [];
      let value = NaN;
      for (let i = 0; i < 5; i++) {
        const t = await timedRequest(url, c.request.body, c.request.headers);
        if (t.status !== 200) throw new Error(`${c.loss}: ${t.status} ${t.body.subarray(0, 200)}`);
        times.push(t.ms);
        // By name, as tritonclient reads it (an all-binary answer leads with the gradient).
        value = parseInferResponse(t.body, t.headers).outputs.get('value')!.data[0];
        const b = await timedRequest(bareUrl, c.request.body, c.request.headers);
        if (b.status !== 200 || b.body.length !== t.body.length) throw new Error(`bare transfer: ${b.status}, ${b.body.length} bytes`);
        bareTimes.push(b.ms);
      }
      const torch = pytorch(c.loss, 2, 5, c.pred, c.predShape, c.target, c.targetShape);
      measured.push({ c, ours: median(times), bare: median(bareTimes), torch, value });
      log(`  ${c.label}: service ${median(times).toFixed(0)} ms, bare transfer ${median(bareTimes).toFixed(0)} ms, PyTorch ${torch.median_ms.toFixed(1)} ms`);
    }
  } finally {
    await bareRoute.stop();
  }
  // The FastAPI peer afterwards (its processes would share the 2 cores with the anchor): the
  // same bytes on the same path, answered in v2's binary form.
  const peer = await startFastApiPeer(smallLossBody());
  const peerMs = new Map<LargeCase, number>();
  if (!('skipped' in peer)) {
    try {
      for (const { c } of measured) {
        const peerUrl = `${peer.url}/v2/models/${c.loss}/infer`;
        await timedRequest(peerUrl, c.request.body, c.request.headers);
        const peerTimes: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t = await timedRequest(peerUrl, c.request.body, c.request.headers);
          if (t.status !== 200) throw new Error(`FastAPI peer ${c.loss}: ${t.status}`);
          peerTimes.push(t.ms);
        }
        peerMs.set(c, median(peerTimes));
        log(`  ${c.label}: FastAPI peer ${median(peerTimes).toFixed(0)} ms`);
      }
    } finally {
      await peer.stop();
    }
  }
  const rows = measured.map(({ c, ours, bare, torch, value }) => {
    const p = peerMs.get(c);
    const peerCell = p === undefined ? '—' : `${p.toFixed(0)} (${ratio(p, ours)}× the service's)`;
    return `| ${c.label} | ${(c.request.body.length / 2 ** 20).toFixed(1)} MiB | ${ours.toFixed(0)} | ${torch.median_ms.toFixed(1)} | ${ratio(ours, torch.median_ms)}× | ${verdict(ours <= 1.5 * torch.median_ms)} | ${bare.toFixed(0)} (${ratio(ours, bare)}×) | ${peerCell} | ${value.toPrecision(7)} / ${torch.value.toPrecision(7)} |`;
  });
  sections.push(
    `## P2: large requests\n\nBinary v2 (\`POST /v2/models/{loss}/infer\`, FP32 in, value and gradient out as binary: the answer streams, its header and ` +
      `the gradient's ranges leaving while later ranges compute), end to end: from the first byte sent to the last ` +
      `byte received by a plain Node http client on 127.0.0.1 (median of 5 after a warm-up). Anchor: PyTorch ${'1.13'} (Debian python3-torch) computing forward and ` +
      `backward in-process on the same tensors with \`torch.set_num_threads(2)\` (median of 5 after a warm-up; tensor loading excluded). ` +
      `Transfer anchor, alternating with the service's requests: a bare Fastify route (\`bareServer.ts\`, its own process) that reads the same body into one buffer and answers as many bytes as the service's answer, doing nothing else (the service / it in parentheses: what the work adds to moving the bytes). ` +
      `Peer, measured after the rest: the FastAPI + uvicorn + PyTorch server (\`fastapi_peer.py\`) receiving the same bytes on the same path and answering ` +
      `value and gradient in v2's binary form${'skipped' in peer ? ` (skipped: ${peer.skipped})` : ''}.\n\n` +
      `| request | body | service ms | PyTorch ms | ratio | target ≤ 1.5× | bare transfer ms | FastAPI peer ms | value (service / PyTorch) |\n|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}

// ---------------------------------------------------------------------------------------------
async function p3(service: RunningService, smallJson: string, large: LargeCase) {
  log('P3: head-of-line blocking');
  // Every small request timed with process.hrtime: a 1 ms idle p99 in microseconds, not in
  // autocannon's whole milliseconds.
  const small = () => timedLoop(`${service.url}/loss`, smallJson, JSON_HEADERS, 4, SECONDS);
  await small();
  const alone = await small();
  // The two large clients run in their own process: their 40 MB answers must not stall the
  // event loop that times the small requests.
  const url = `${service.url}/v2/models/${large.loss}/infer`;
  const child = spawn(process.execPath, [fileURLToPath(new URL('./largeClient.ts', import.meta.url)), url, '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  while (!output.includes('ready')) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500)); // both large clients under way
  const loaded = await small();
  child.kill('SIGTERM');
  await once(child, 'exit');
  const largeDone = Number(/done (\d+)/.exec(output)?.[1] ?? 0);
  const r = loaded.p99us / alone.p99us;
  const us = (v: number) => v.toFixed(0);
  sections.push(
    `## P3: no head-of-line blocking\n\nP1's request from 4 closed-loop connections for ${SECONDS} s, each request timed with \`process.hrtime\` ` +
      `(\`load/support/latencyClient.ts\`), alone, then while two clients in another process send P2's ${large.label} requests back to back ` +
      `(${largeDone} large requests completed during the loaded run).\n\n| | small req/s | p50 µs | p99 µs | max µs |\n|---|---|---|---|---|\n` +
      `| alone | ${alone.rps.toFixed(0)} | ${us(alone.p50us)} | ${us(alone.p99us)} | ${us(alone.maxUs)} |\n` +
      `| with two large clients | ${loaded.rps.toFixed(0)} | ${us(loaded.p50us)} | ${us(loaded.p99us)} | ${us(loaded.maxUs)} |\n\n` +
      `p99 ratio loaded / alone: **${r.toFixed(2)}** (target ≤ 2: ${verdict(r <= 2)}).\n`,
  );
  log(`  p99 alone ${us(alone.p99us)} µs, with large requests ${us(loaded.p99us)} µs (${largeDone} large requests)`);
}

// ---------------------------------------------------------------------------------------------
async function p4() {
  log('P4: memory');
  const n = 64 * 2 ** 20;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = ((i * 2654435761) % 1000) / 500 - 1;
    y[i] = ((i * 40503) % 1000) / 500 - 1;
  }
  const request = v2BinaryBody(
    [
      { name: 'predictions', shape: [n], datatype: 'FP32', data: x },
      { name: 'targets', shape: [n], datatype: 'FP32', data: y },
    ],
    {},
    ['value', 'gradient'],
  );
  const payload = x.byteLength + y.byteLength;
  const service = await startService(SERVICE_ENV);
  try {
    const before = await memoryOf(service.child.pid!);
    const t = await timedRequest(`${service.url}/v2/models/mse/infer`, request.body, request.headers);
    if (t.status !== 200) throw new Error(`P4 request answered ${t.status}`);
    const after = await memoryOf(service.child.pid!);
    const r = after.peak / payload;
    sections.push(
      `## P4: memory\n\nOne mse request of 64M FP32 predictions and 64M FP32 targets (payload ${(payload / 2 ** 20).toFixed(0)} MiB), value and gradient ` +
        `(${((n * 4) / 2 ** 20).toFixed(0)} MiB) answered as binary, to a freshly started service (${t.ms.toFixed(0)} ms end to end). Peak RSS is the process's VmHWM.\n\n` +
        `| RSS before | peak RSS | payload | peak / payload |\n|---|---|---|---|\n| ${(before.current / 2 ** 20).toFixed(0)} MiB | ${(after.peak / 2 ** 20).toFixed(0)} MiB | ${(payload / 2 ** 20).toFixed(0)} MiB | **${r.toFixed(2)}** |\n\n` +
        `Target ≤ 2.5×: ${verdict(r <= 2.5)}.\n`,
    );
    log(`  peak RSS ${(after.peak / 2 ** 20).toFixed(0)} MiB for ${(payload / 2 ** 20).toFixed(0)} MiB payload (${r.toFixed(2)}×)`);
  } finally {
    await service.stop();
  }
}

// ---------------------------------------------------------------------------------------------
const TORCH_LOSSES = new Set(['mse', 'l1', 'huber', 'smooth_l1', 'poisson_nll', 'binary_cross_entropy', 'bce_with_logits', 'logistic', 'sigmoid_focal', 'cross_entropy', 'nll', 'kl_div', 'multi_margin', 'hinge_embedding', 'multilabel_soft_margin']);

/** PyTorch's losses of several inputs (pytorch_reference.py's NAMED). */
const TORCH_NAMED = new Set(['gaussian_nll', 'cosine_embedding', 'margin_ranking', 'triplet_margin', 'triplet_margin_with_distance', 'multilabel_margin', 'ctc']);

function kernels() {
  log('kernel table');
  const ELEMENTS = 1_000_000;
  const outputs = new SharedBufferPool(1 << 30);
  const rows: string[] = [];
  const skipped: string[] = [];
  // BENCH_KERNELS=ctc,mse: those rows alone.
  const chosen = process.env.BENCH_KERNELS?.split(',');
  for (const def of losses.filter((d) => chosen === undefined || chosen.includes(d.name))) {
    const data = lossData(def, ELEMENTS);
    if (data === null) {
      skipped.push(def.name);
      continue;
    }
    const first = kernelSlots(def).predictions;
    // One column with FP64 inputs, one with the first input in FP32 (as a binary FP32 request).
    const inputOf = (float32: boolean) => (name: string) => {
      const t = data.inputs[name];
      return t === undefined ? undefined : { data: float32 && name === first ? Float32Array.from(t.data) : t.data, shape: t.shape };
    };
    const time = (float32: boolean) => {
      const task = () =>
        prepareLossTask({ def, ...slotTensors(def, inputOf(float32)), params: def.params.parse(data.params), reduction: reductionsOf(def)[0], wantPerSample: false, wantGradient: true, regularization: null });
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = task();
        // Outputs from a buffer lease, as a large binary request's are (the pool's reused buffers).
        const lease = outputs.lease();
        const start = performance.now();
        computeLoss(t, lease.allocate);
        if (i > 1) times.push(performance.now() - start);
        lease.release();
      }
      return (median(times) * 1e6) / data.elements;
    };
    const ns = { f64: time(false), f32: time(true) };
    const cells = { f64: ['—', '—'], f32: ['—', '—'] };
    if (TORCH_NAMED.has(def.name)) {
      // Float inputs in the column's dtype, integer ones (multilabel_margin's label lists, ctc's
      // labels and lengths) as int64.
      for (const dtype of ['f64', 'f32'] as const) {
        const inputs = tensorInputs(def).map((input) => {
          const t = data.inputs[input.name];
          const integer = (def.name === 'multilabel_margin' && input.name === 'targets') || (def.name === 'ctc' && t.integer);
          return { name: input.name, shape: t.shape, grad: input.differentiable, data: integer ? BigInt64Array.from(t.data, (v) => BigInt(v)) : dtype === 'f64' ? t.data : Float32Array.from(t.data) };
        });
        const pt = pytorchNamed(def.name, 5, inputs, def.params.parse(data.params) as Record<string, unknown>);
        const tns = (pt.median_ms * 1e6) / data.elements;
        cells[dtype] = [tns.toFixed(1), `${(ns[dtype] / tns).toFixed(2)}×`];
      }
    }
    if (TORCH_LOSSES.has(def.name)) {
      const pred = data.inputs.predictions;
      const target = data.inputs.targets;
      const targetFile = target.integer ? BigInt64Array.from(target.data, (v) => BigInt(v)) : Float32Array.from(target.data);
      for (const dtype of ['f64', 'f32'] as const) {
        const pt = pytorch(def.name, 1, 5, dtype === 'f64' ? pred.data : Float32Array.from(pred.data), pred.shape, targetFile, target.shape);
        const tns = (pt.median_ms * 1e6) / data.elements;
        cells[dtype] = [tns.toFixed(1), `${(ns[dtype] / tns).toFixed(2)}×`];
      }
    }
    const shape = data.inputs[first].shape.join(' × ');
    rows.push(`| ${def.name} | ${shape} | ${ns.f64.toFixed(1)} | ${cells.f64.join(' | ')} | ${ns.f32.toFixed(1)} | ${cells.f32.join(' | ')} |`);
    log(`  ${def.name}: FP64 ${ns.f64.toFixed(1)} ns/element (PyTorch ${cells.f64[0]}), FP32 ${ns.f32.toFixed(1)} (PyTorch ${cells.f32[0]})`);
  }
  sections.push(
    `## Kernels\n\nForward and backward (value and gradient, the loss's default reduction), one thread: the service's kernel phases (checks, kernel, ` +
      `reduction) called directly (median of 5 after 2 warm-ups) on about 1M elements, outputs from reused buffers as a large binary request's, with FP64 ` +
      `inputs and with the first input in FP32 (the service computes in float64 either way), beside PyTorch with \`torch.set_num_threads(1)\` in ` +
      `float64 and in float32 where PyTorch has the loss (sigmoid_focal in torch ops as torchvision writes it). On the WebAssembly SIMD kernels ` +
      `(in their unweighted forms): ${losses.filter((d) => d.scalarKernel !== undefined).map((d) => d.name).join(', ')}; the others are scalar JavaScript. ctc on log-probabilities [T 100, N 32, C] ` +
      `(its elements: T·N·C), 10 to 20 labels a sample. Not timed: ${skipped.join(', ')} (circle's cost grows with the square of the batch).\n\n` +
      `| loss | shape | FP64 ns/element | PyTorch float64 | ratio | FP32 ns/element | PyTorch float32 | ratio |\n|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}

// ---------------------------------------------------------------------------------------------
const only = new Set((process.env.BENCH_ONLY ?? 'p0,p1,check,p2,p3,p4,kernels').split(','));
const againstAt = process.argv.indexOf('--against');
const againstCommit = againstAt >= 0 ? process.argv[againstAt + 1] : process.env.BENCH_AGAINST;
const service = await startService(SERVICE_ENV);
try {
  let small = smallLossBody();
  if (only.has('p0')) await p0(service, small);
  if (only.has('p1')) small = await p1(service);
  if (only.has('check')) await checkRow(service);
  const cases = only.has('p2') || only.has('p3') || againstCommit !== undefined ? largeCases() : [];
  if (only.has('p2')) await p2(service, cases);
  if (only.has('p3')) await p3(service, small, cases[0]);
  if (againstCommit !== undefined) await against(service, againstCommit, small, cases);
} finally {
  await service.stop();
}
if (only.has('p4')) await p4();
if (only.has('kernels')) kernels();
rmSync(tmp, { recursive: true, force: true });

const header =
  `# Performance results\n\nProduced by \`npm run bench\` (\`load/bench.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (\`nproc\`), ` +
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}. The service runs in its own process with its defaults except LOG_LEVEL=warn ` +
  `(no per-request log lines), raised body limits and no deadline. Timings on this shared machine are noisy: compare the ratios, each taken within one run.\n`;
const out = new URL(process.env.BENCH_OUT ?? './RESULTS.md', import.meta.url);
writeFileSync(out, `${header}\n${sections.join('\n')}`);
log(`wrote ${fileURLToPath(out)}`);
