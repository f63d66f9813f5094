// A client holding more sockets than the service has descriptors: the service refuses what it
// cannot hold, stays up, and answers new connections as soon as the old ones close.
import net from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { startService, type RunningService } from '../support/testApp.ts';

const OPEN_FILES = 400;
let service: RunningService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

async function holdSockets(url: string, count: number): Promise<net.Socket[]> {
  const { port } = new URL(url);
  const sockets: net.Socket[] = [];
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve) => {
        const s = net.connect(Number(port), '127.0.0.1', () => resolve());
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        sockets.push(s);
      }),
    ),
  );
  return sockets;
}

async function answersAgain(url: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/loss`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"loss":"mse","predictions":[1,2],"targets":[1,3]}' });
      if (res.status === 200) return (await res.json()) as { value: number };
    } catch {
      // refused while the sockets are still closing
    }
    if (Date.now() > deadline) throw new Error('the service did not answer within 30 s of the sockets closing');
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const [name, env] of [
  [`with the default connection cap (open files ${OPEN_FILES} less 128)`, {}],
  ['with no cap, so that accept() itself fails with EMFILE', { MAX_CONNECTIONS: '100000' }],
] as const) {
  test(`1,000 idle sockets against ulimit -n ${OPEN_FILES}, ${name}: alive, then answering`, async () => {
    // MAX_RSS_BYTES turns the pressure monitor's /proc reads on: they fail with EMFILE too.
    service = await startService({ WORKERS: '1', MAX_RSS_BYTES: String(2 ** 40), ...env }, undefined, '/readyz', { openFiles: OPEN_FILES });
    const sockets = await holdSockets(service.url, 1000);
    await new Promise((r) => setTimeout(r, 1500)); // several samples of the pressure monitor
    expect(service.child.exitCode).toBeNull();
    for (const s of sockets) s.destroy();
    expect((await answersAgain(service.url)).value).toBe(0.5);
    expect(service.child.exitCode).toBeNull();
  }, 60_000);
}
