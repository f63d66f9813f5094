// 1M x 10 FP32 cross_entropy with its gradient: binary v2 against JSON POST /loss, end to end,
// in one run against one service. Writes load/V2_VS_JSON.md.   npm run bench:v2
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startService } from './support/service.ts';
import { classificationData, lossJsonBody, v2BinaryBody } from './support/bodies.ts';
import { timedRequest, median } from './support/timedRequest.ts';

const N = Number(process.env.BENCH_ROWS ?? 1_000_000);
const C = 10;
const AMOUNT = Number(process.env.BENCH_AMOUNT ?? 3);

const { logits, labels } = classificationData(N, C);
const binary = v2BinaryBody(
  [
    { name: 'predictions', shape: [N, C], datatype: 'FP32', data: logits },
    { name: 'targets', shape: [N], datatype: 'INT64', data: labels },
  ],
  {},
  ['value', 'gradient'],
);
const json = lossJsonBody(logits, labels, C);
console.log(`bodies: binary ${(binary.body.length / 2 ** 20).toFixed(1)} MiB, JSON ${(json.length / 2 ** 20).toFixed(1)} MiB`);

const service = await startService({ BODY_LIMIT: String(2 ** 30) });
try {
  const v2Url = `${service.url}/v2/models/cross_entropy/infer`;
  const restUrl = `${service.url}/loss`;
  const jsonHeaders = { 'content-type': 'application/json' };
  await timedRequest(v2Url, binary.body, binary.headers); // warm-up, both
  await timedRequest(restUrl, json, jsonHeaders);
  const run = async (url: string, body: Buffer | string, headers: Record<string, string>) => {
    const times: number[] = [];
    for (let i = 0; i < AMOUNT; i++) {
      const t = await timedRequest(url, body, headers);
      if (t.status !== 200) throw new Error(`${url} answered ${t.status}`);
      times.push(t.ms);
    }
    return { requests: AMOUNT, meanMs: median(times), p99: Math.max(...times).toFixed(0) };
  };
  const a = await run(v2Url, binary.body, binary.headers);
  const b = await run(restUrl, json, jsonHeaders);
  const table = [
    '| route | body | requests | median ms | max ms |',
    '|---|---|---|---|---|',
    `| POST /v2/models/cross_entropy/infer (binary FP32 in, binary out) | ${(binary.body.length / 2 ** 20).toFixed(1)} MiB | ${a.requests} | ${a.meanMs.toFixed(0)} | ${a.p99} |`,
    `| POST /loss (JSON in, JSON out) | ${(json.length / 2 ** 20).toFixed(1)} MiB | ${b.requests} | ${b.meanMs.toFixed(0)} | ${b.p99} |`,
    '',
    `JSON / binary time: **${(b.meanMs / a.meanMs).toFixed(1)}×**`,
  ].join('\n');
  console.log(table);
  writeFileSync(
    new URL('./V2_VS_JSON.md', import.meta.url),
    `# Binary v2 against JSON: ${N.toLocaleString('en')} × ${C} cross_entropy with its gradient\n\n` +
      `Produced by \`npm run bench:v2\` (\`load/v2VsJson.ts\`) on ${cpus().length} cores, Node ${process.version}: one service, ` +
      `the same FP32 logits and class indices sent both ways, ${AMOUNT} sequential requests each after one warm-up, end to end ` +
      `(first byte sent to last byte received, by a plain Node http client on 127.0.0.1; load/README.md says why not autocannon).\n\n${table}\n`,
  );
} finally {
  await service.stop();
}
