// The attacks of the "hostile load" issue, each against a running service, with the status it
// answers, the time it takes and the service's peak RSS during it (VmHWM, reset before each
// attack through /proc/<pid>/clear_refs; needs root). Writes a table to stdout.
//
//   node load/attacks.ts                          starts the service as `npm start` does
//   node load/attacks.ts --url URL --pid PID      a service started elsewhere (the container)
//
// Bodies are large (up to 8 × 512 MiB at once): run it on a machine with 8 GiB to spare.
import http from 'node:http';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { startService } from './support/service.ts';
import { classificationData, v2BinaryBody } from './support/bodies.ts';

const MiB = 2 ** 20;
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const started = arg('--url') === undefined ? await startService({}) : null;
const url = arg('--url') ?? started!.url;
const pid = Number(arg('--pid') ?? started!.child.pid);

const status = () => readFileSync(`/proc/${pid}/status`, 'utf8');
const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status())?.[1] ?? NaN) * 1024;
const alive = () => {
  try {
    status();
    return true;
  } catch {
    return false;
  }
};

interface Row {
  attack: string;
  answer: string;
  ms: number;
  peakMiB: number;
}
const rows: Row[] = [];

async function measure(attack: string, run: () => Promise<string>) {
  if (!alive()) {
    rows.push({ attack, answer: 'service dead', ms: 0, peakMiB: 0 });
    return;
  }
  await new Promise((r) => setTimeout(r, 1000)); // let the last attack's garbage go
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const t0 = performance.now();
  let answer: string;
  try {
    answer = await run();
  } catch (err) {
    answer = `client error ${(err as Error).message}`;
  }
  const ms = performance.now() - t0;
  const peakMiB = alive() ? kb('VmHWM') / MiB : NaN;
  rows.push({ attack, answer: alive() ? answer : `${answer}; SERVICE DIED`, ms, peakMiB });
  console.error(`${attack}: ${rows.at(-1)!.answer} in ${ms.toFixed(0)} ms, peak RSS ${peakMiB.toFixed(0)} MiB`);
}

/** POSTs `body` (pieces, written with backpressure); resolves with the status once answered. */
function post(path: string, headers: Record<string, string>, pieces: Iterable<Buffer>): Promise<number> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: true });
    let answered = false;
    const req = http.request(`${url}${path}`, { method: 'POST', headers, agent }, (res) => {
      answered = true;
      res.resume();
      res.on('end', () => {
        agent.destroy();
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    (async () => {
      for (const p of pieces) {
        if (answered || req.destroyed) return;
        if (!req.write(p)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => undefined);
  });
}
function* repeat(fill: Buffer, total: number) {
  for (let sent = 0; sent < total; sent += fill.length) yield sent + fill.length <= total ? fill : fill.subarray(0, total - sent);
}

/** A JSON body of two long arrays: `open`, `count` numbers from `first` (a comma-ended block of
 *  numbers, repeated), `middle`, as many from `second`, then `close`. Pieces, never one string. */
function* twoArrays(open: string, first: Buffer, middle: string, second: Buffer, close: string, blocks: number): Generator<Buffer> {
  yield Buffer.from(open);
  for (let i = 0; i < blocks - 1; i++) yield first;
  yield Buffer.from(first.toString().slice(0, -1) + middle);
  for (let i = 0; i < blocks - 1; i++) yield second;
  yield Buffer.from(second.toString().slice(0, -1) + close);
}
const lengthOf = (pieces: Iterable<Buffer>) => [...pieces].reduce((a, b) => a + b.length, 0);
const tally = (statuses: number[]) => {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n}×${s}`).join(' ');
};

await measure('POST /loss nested 10^8 deep (200 MB)', async () =>
  String(await post('/loss', { 'content-type': 'application/json', 'content-length': String(200e6) }, repeat(Buffer.alloc(MiB, '['), 200e6))),
);

await measure('v2 "binary" header that is a 500 MiB JSON document', async () => {
  const size = 500 * MiB;
  return String(await post('/v2/models/mse/infer', { 'content-type': 'application/octet-stream', 'content-length': String(size), 'inference-header-content-length': String(size) }, repeat(Buffer.alloc(MiB, ' '), size)));
});

// A valid v2 JSON request of ~250 MiB: mse over 2 × 12M numbers.
const n = 12_000_000;
const numbers = Buffer.from(`${Array.from({ length: 1000 }, (_, i) => (i / 997).toFixed(8)).join(',')},`);
const v2Json = () =>
  twoArrays(
    `{"inputs":[{"name":"predictions","shape":[${n}],"datatype":"FP64","data":[`,
    numbers,
    `]},{"name":"targets","shape":[${n}],"datatype":"FP64","data":[`,
    numbers,
    ']}],"outputs":[{"name":"value"}]}',
    n / 1000,
  );
const v2JsonLength = lengthOf(v2Json());
await measure(`v2 all-JSON request of ${(v2JsonLength / MiB).toFixed(0)} MiB`, async () => String(await post('/v2/models/mse/infer', { 'content-type': 'application/json', 'content-length': String(v2JsonLength) }, v2Json())));

// POST /loss JSON of ~250 MiB: mse over 2 × 12M numbers, four at once.
const lossJson = () => twoArrays('{"loss":"mse","predictions":[', numbers, '],"targets":[', numbers, ']}', n / 1000);
const lossJsonLength = lengthOf(lossJson());
await measure(`4 × POST /loss JSON of ${(lossJsonLength / MiB).toFixed(0)} MiB at once`, async () =>
  tally(await Promise.all(Array.from({ length: 4 }, () => post('/loss', { 'content-type': 'application/json', 'content-length': String(lossJsonLength) }, lossJson())))),
);

const { logits, labels } = classificationData(12_000_000, 10);
const binary = v2BinaryBody(
  [
    { name: 'predictions', shape: [12_000_000, 10], datatype: 'FP32', data: logits },
    { name: 'targets', shape: [12_000_000], datatype: 'INT64', data: labels },
  ],
  {},
  ['value'],
);
await measure(`8 × v2 binary of ${(binary.body.length / MiB).toFixed(0)} MiB at once`, async () =>
  tally(await Promise.all(Array.from({ length: 8 }, () => post('/v2/models/cross_entropy/infer', { ...binary.headers, 'content-length': String(binary.body.length) }, repeat(binary.body, binary.body.length))))),
);

await measure('chunked v2 body announcing a 10^12-byte header', async () =>
  String(await post('/v2/models/mse/infer', { 'content-type': 'application/octet-stream', 'inference-header-content-length': '1000000000000' }, repeat(Buffer.alloc(4096, '{'), 4096))),
);

await measure('v2 JSON data nested 10,000 deep', async () => {
  const data = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
  const body = Buffer.from(`{"inputs":[{"name":"predictions","shape":[1],"datatype":"FP64","data":${data}},{"name":"targets","shape":[1],"datatype":"FP64","data":[1]}]}`);
  return String(await post('/v2/models/mse/infer', { 'content-type': 'application/json', 'content-length': String(body.length) }, [body]));
});

await measure('POST /loss 16.7M elements with per_sample and gradient (answer > 2^29 chars)', async () => {
  // Predictions k/8 and targets 0.1: a 168 MiB body whose answer prints 33.5M numbers of ~20
  // characters each.
  const m = 16_777_216;
  const preds = Buffer.from(`${Array.from({ length: 1024 }, (_, i) => `${(i % 64) / 8}`).join(',')},`);
  const targets = Buffer.from('0.1,'.repeat(1024));
  const body = () => twoArrays('{"loss":"mse","include":["per_sample","gradient"],"predictions":[', preds, '],"targets":[', targets, ']}', m / 1024);
  const length = lengthOf(body());
  let answered = 0;
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${url}/loss`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length) } }, (res) => {
      res.on('data', (c: Buffer) => (answered += c.length));
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    (async () => {
      for (const p of body()) if (!req.write(p)) await new Promise((r) => req.once('drain', r));
      req.end();
    })().catch(reject);
  });
  return `${status}, ${(answered / MiB).toFixed(0)} MiB answer (${(length / MiB).toFixed(0)} MiB body)`;
});

await measure('/healthz latency while 2 × 120 MiB JSON bodies parse', async () => {
  const half = 6_000_000;
  const body = () => twoArrays('{"loss":"mse","predictions":[', numbers, '],"targets":[', numbers, ']}', half / 1000);
  const length = lengthOf(body());
  let done = false;
  const work = Promise.all([0, 1].map(() => post('/loss', { 'content-type': 'application/json', 'content-length': String(length) }, body()))).finally(() => (done = true));
  let max = 0;
  while (!done) {
    const t = performance.now();
    await (await fetch(`${url}/healthz`)).text();
    max = Math.max(max, performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return `${tally(await work)}; /healthz max ${max.toFixed(0)} ms`;
});

await measure('20,000 idle sockets', async () => {
  const { port } = new URL(url);
  const sockets: net.Socket[] = [];
  let refused = 0;
  await Promise.all(
    Array.from({ length: 20_000 }, () => new Promise<void>((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => resolve());
      s.on('error', () => {
        refused++;
        resolve();
      });
      s.on('close', () => resolve());
      sockets.push(s);
    })),
  );
  await new Promise((r) => setTimeout(r, 2000));
  for (const s of sockets) s.destroy();
  await new Promise((r) => setTimeout(r, 500));
  const res = await fetch(`${url}/healthz`);
  return `${refused} refused; afterwards /healthz ${res.status}`;
});

console.log('| attack | answer | time | peak RSS |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.attack} | ${r.answer} | ${(r.ms / 1000).toFixed(1)} s | ${r.peakMiB.toFixed(0)} MiB |`);
await started?.stop();
