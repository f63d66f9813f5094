// Many large requests at once under a small memory budget: each is answered 200, 503 (its memory
// could not be had in time) or 413 (it could never fit), the process lives, and its peak RSS
// stays under the budget plus the process's own overhead.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { memoryOf } from '../../load/support/service.ts';
import { startService, type RunningService } from '../support/testApp.ts';
import { classificationData, lossJsonBody, v2BinaryBody } from '../../load/support/bodies.ts';
import { pausedAfterFirst, send } from '../support/rawHttp.ts';

const MiB = 2 ** 20;
const BUDGET = 384 * MiB;
/** The service's own memory beside the budget: Node, the code and two idle workers (190 MiB
 *  measured), and the garbage of finished requests that a collector has not freed yet. */
const OVERHEAD = 512 * MiB;

/** The status, once the whole answer has been read. */
async function statusAfterBody(r: Response): Promise<number> {
  await r.arrayBuffer();
  return r.status;
}

let service: RunningService;
beforeAll(async () => {
  service = await startService({ WORKERS: '2', MEMORY_BUDGET_BYTES: String(BUDGET), BODY_LIMIT: String(128 * MiB), BINARY_BODY_LIMIT: String(512 * MiB) });
});
afterAll(() => service.stop());

test('8 binary uploads of 48 MiB at once: 200 or 503, alive, RSS under budget + overhead', async () => {
  const { logits, labels } = classificationData(1_200_000, 10);
  const { body, headers } = v2BinaryBody([
    { name: 'predictions', shape: [1_200_000, 10], datatype: 'FP32', data: logits },
    { name: 'targets', shape: [1_200_000], datatype: 'INT64', data: labels },
  ]);
  expect(body.length).toBeGreaterThan(48 * MiB);
  const statuses = await Promise.all(
    Array.from({ length: 8 }, () => fetch(`${service.url}/v2/models/cross_entropy/infer`, { method: 'POST', body, headers }).then(statusAfterBody)),
  );
  expect(statuses.every((s) => s === 200 || s === 503), statuses.join()).toBe(true);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
  expect(service.child.exitCode).toBeNull();
  const { peak } = await memoryOf(service.child.pid!);
  console.log(`8 × ${(body.length / MiB).toFixed(0)} MiB binary: ${statuses.join(' ')}; peak RSS ${(peak / MiB).toFixed(0)} MiB (budget ${BUDGET / MiB} MiB)`);
  expect(peak).toBeLessThan(BUDGET + OVERHEAD);
}, 120_000);

test('4 JSON bodies of ~30 MiB at once, and one that could never fit: 200/503, then 413', async () => {
  const { logits, labels } = classificationData(200_000, 10, 2);
  const json = lossJsonBody(logits, labels, 10);
  const statuses = await Promise.all(
    Array.from({ length: 4 }, () => fetch(`${service.url}/loss`, { method: 'POST', body: json, headers: { 'content-type': 'application/json' } }).then(statusAfterBody)),
  );
  expect(statuses.every((s) => s === 200 || s === 503), statuses.join()).toBe(true);
  expect(statuses).toContain(200);
  // 120 MiB of JSON needs ~4× its size to serve: more than the whole 384 MiB budget.
  const huge = `{"loss":"mse","predictions":[${'0.5,'.repeat(30 * MiB)}0.5],"targets":[1]}`;
  // Refused before its body is read: the client pauses after its first piece to read the answer.
  const hugeBytes = Buffer.from(huge);
  const res = await send(`${service.url}/loss`, {
    headers: { 'content-type': 'application/json', 'content-length': String(hugeBytes.length) },
    body: pausedAfterFirst([hugeBytes.subarray(0, 65536), hugeBytes.subarray(65536)]),
  });
  expect(res.status).toBe(413);
  expect((JSON.parse(res.body) as { detail: string }).detail).toMatch(/MEMORY_BUDGET_BYTES/);
  expect(service.child.exitCode).toBeNull();
  const { peak } = await memoryOf(service.child.pid!);
  console.log(`4 × ${(json.length / MiB).toFixed(0)} MiB JSON: ${statuses.join(' ')}; 413 for ${(huge.length / MiB).toFixed(0)} MiB; peak RSS ${(peak / MiB).toFixed(0)} MiB`);
  expect(peak).toBeLessThan(BUDGET + OVERHEAD);
}, 120_000);
