// The examples run as a user would run them: against a started service, as separate programs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../load/support/service.ts';

const run = promisify(execFile);
let service: RunningService;
beforeAll(async () => {
  service = await startService();
}, 30_000);
afterAll(() => service?.stop());

test('examples/v2_client.py (standard library + numpy) agrees with POST /loss', async () => {
  // Debian's python3 with python3-numpy (installed by .ci/run), as the example's header says.
  const { stdout } = await run('/usr/bin/python3', ['examples/v2_client.py'], { env: { ...process.env, LOSS_SERVICE_URL: service.url } });
  expect(stdout).toContain('OK: v2 binary FP32 agrees with POST /loss');
}, 60_000);
