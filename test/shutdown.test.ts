// SIGTERM with 50 requests in flight: every one answered 200, then exit code 0.
import { once } from 'node:events';
import { expect, test } from 'vitest';
import { startService } from '../load/support/service.ts';
import { classificationData, v2BinaryBody } from '../load/support/bodies.ts';

test('SIGTERM with 50 requests in flight: 50 answered 200, exit code 0', async () => {
  const service = await startService({ WORKERS: '2', INLINE_THRESHOLD: '0', MAX_QUEUE: '64', REQUEST_DEADLINE_MS: '0' });
  // 100k x 10 FP32 cross_entropy: ~25 ms of kernel each, so 50 keep two workers busy for ~0.6 s.
  const { logits, labels } = classificationData(100_000, 10);
  const { body, headers } = v2BinaryBody(
    [
      { name: 'predictions', shape: [100_000, 10], datatype: 'FP32', data: logits },
      { name: 'targets', shape: [100_000], datatype: 'INT64', data: labels },
    ],
    {},
    ['value'],
  );
  let finished = 0;
  const requests = Array.from({ length: 50 }, () =>
    fetch(`${service.url}/v2/models/cross_entropy/infer`, { method: 'POST', body, headers }).then(async (r) => {
      finished++;
      return { status: r.status, body: await r.text() };
    }),
  );
  // Wait until the pool has taken all 50 tasks (they are then in flight), then SIGTERM.
  const pooled = async () => Number(/loss_computations_pooled_total (\d+)/.exec(await (await fetch(`${service.url}/metrics`)).text())?.[1] ?? 0);
  const deadline = Date.now() + 20_000;
  while ((await pooled()) < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const unfinishedAtSignal = 50 - finished;
  const exited = once(service.child, 'exit');
  service.child.kill('SIGTERM');
  const answers = await Promise.all(requests);
  const [code] = await exited;
  expect(unfinishedAtSignal).toBeGreaterThan(0);
  expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
  expect(code).toBe(0);
}, 60_000);
