// The Python client (clients/python/loss_client.py: standard library + numpy) passes its own tests
// against a started service: every loss's inputs by name, writable arrays out, the problem's
// fields, names URL-quoted, /check, JSON and binary v2, request compression both ways, empty
// tensors, health, config and errors. It installs offline with pip into a virtual environment and
// is imported from there. Debian's python3 with python3-numpy, python3-venv and
// python3-setuptools (.ci/run installs them).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../support/testApp.ts';

const run = promisify(execFile);
const clientDir = new URL('../../clients/python/', import.meta.url).pathname;
let service: RunningService;
beforeAll(async () => {
  service = await startService({ WORKERS: '1' });
});
afterAll(() => service.stop());

function expectUnittestOk(stderr: string, count: number) {
  expect(stderr).toMatch(new RegExp(`Ran ${count} tests`));
  expect(stderr.trim().split('\n').at(-1)).toBe('OK');
}

test('clients/python: python3 -m unittest test_loss_client passes', async () => {
  const { stderr } = await run('/usr/bin/python3', ['-m', 'unittest', '-v', 'test_loss_client'], {
    cwd: clientDir,
    env: { ...process.env, LOSS_SERVICE_URL: service.url },
  });
  expectUnittestOk(stderr, 10);
}, 60_000);

test('clients/python: pip installs it offline into a venv, and the installed module passes the same tests', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loss-client-'));
  // pip builds in a copy (it writes build/ and *.egg-info beside the sources).
  const source = join(dir, 'source');
  await run('cp', ['-r', clientDir, source]);
  rmSync(join(source, 'test_loss_client.py'));
  try {
    await run('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', join(dir, 'venv')]);
    const python = join(dir, 'venv', 'bin', 'python');
    await run(python, ['-m', 'pip', 'install', '--quiet', '--no-index', '--no-build-isolation', source], { env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } });
    // The tests run where no loss_client.py lies beside them: the import is the installed one.
    const tests = join(dir, 'tests');
    await run('mkdir', [tests]);
    copyFileSync(join(clientDir, 'test_loss_client.py'), join(tests, 'test_loss_client.py'));
    const { stdout } = await run(python, ['-c', 'import loss_client; print(loss_client.__file__)'], { cwd: tests });
    expect(stdout).toContain(join(dir, 'venv'));
    const { stderr } = await run(python, ['-m', 'unittest', 'test_loss_client'], { cwd: tests, env: { ...process.env, LOSS_SERVICE_URL: service.url } });
    expectUnittestOk(stderr, 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
