// The one-file Python client (clients/python/loss_client.py: standard library + numpy) passes its
// own tests against a started service: JSON and binary v2, request compression both ways, empty
// tensors, health, config and errors. Debian's python3 with python3-numpy (.ci/run installs it).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../support/testApp.ts';

const run = promisify(execFile);
let service: RunningService;
beforeAll(async () => {
  service = await startService({ WORKERS: '1' });
});
afterAll(() => service.stop());

test('clients/python: python3 -m unittest test_loss_client passes', async () => {
  const { stderr } = await run('/usr/bin/python3', ['-m', 'unittest', '-v', 'test_loss_client'], {
    cwd: new URL('../../clients/python/', import.meta.url).pathname,
    env: { ...process.env, LOSS_SERVICE_URL: service.url },
  });
  expect(stderr).toMatch(/Ran 5 tests/);
  expect(stderr.trim().split('\n').at(-1)).toBe('OK');
}, 60_000);
