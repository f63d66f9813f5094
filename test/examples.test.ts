// The examples run as a user would run them: against a started service, as separate programs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from './support/testApp.ts';

const run = promisify(execFile);
let service: RunningService;
beforeAll(async () => {
  service = await startService();
}, 60_000);
afterAll(() => service?.stop());

test('examples/v2_client.py (standard library + numpy) agrees with POST /loss', async () => {
  // Debian's python3 with python3-numpy (installed by .ci/run), as the example's header says.
  const { stdout } = await run('/usr/bin/python3', ['examples/v2_client.py'], { env: { ...process.env, LOSS_SERVICE_URL: service.url } });
  expect(stdout).toContain('OK: v2 binary FP32 agrees with POST /loss');
}, 60_000);

test('examples/sklearn-metrics.py: scikit-learn\'s log_loss, brier_score_loss, zero_one_loss, r2_score and mean_pinball_loss equal the service\'s', async () => {
  // Debian's python3 with python3-numpy and python3-sklearn (installed by .ci/run).
  const { stdout } = await run('/usr/bin/python3', ['examples/sklearn-metrics.py'], { env: { ...process.env, LOSS_SERVICE_URL: service.url } });
  expect(stdout).not.toContain('DIFFERENT');
  expect(stdout.match(/^(log_loss|brier_score_loss|zero_one_loss|r2_score|mean_pinball_loss)\(/gm)).toHaveLength(6);
  expect(stdout).toMatch(/^costliest emails \(weighted log loss\): #\d+/m);
  expect(stdout).toContain('OK: the service agrees with scikit-learn');
}, 60_000);

const example = (name: string) => run(process.execPath, ['examples/run.ts', name], { env: { ...process.env, LOSS_SERVICE_URL: service.url } });

test('npm run example -- train-two-layer: the network learns XOR through POST /loss', async () => {
  const { stdout } = await example('train-two-layer');
  const lines = stdout.trim().split('\n');
  expect(lines.filter((l) => /^iteration +\d+: loss/.test(l))).toHaveLength(16); // every 100 of 0..1500
  const final = /final predictions: \[([^\]]+)\]/.exec(stdout)![1].split(', ').map(Number);
  expect(final[0]).toBeLessThan(0.1);
  expect(final[1]).toBeGreaterThan(0.9);
  expect(final[2]).toBeGreaterThan(0.9);
  expect(final[3]).toBeLessThan(0.1);
  console.log(lines.at(-1));
}, 60_000);

test('npm run example -- learning-slowdown: the quadratic cost from (2.0, 2.0) learns slowest', async () => {
  const { stdout } = await example('learning-slowdown');
  const finals = Object.fromEntries(
    [...stdout.matchAll(/^(quadratic|cross-entropy) from \(([\d.]+), ([\d.]+)\): a = ([\d.]+) after 300 epochs$/gm)].map((m) => [`${m[1]} ${m[2]},${m[3]}`, Number(m[4])]),
  );
  expect(Object.keys(finals)).toHaveLength(4);
  expect(finals['quadratic 2.0,2.0']).toBeGreaterThan(finals['quadratic 0.6,0.9']);
  expect(finals['quadratic 2.0,2.0']).toBeGreaterThan(5 * finals['cross-entropy 2.0,2.0']);
  expect(finals['cross-entropy 2.0,2.0']).toBeLessThan(0.05);
  expect(stdout).toMatch(/wrote .*learning-slowdown\.svg/);
  console.log(stdout.trim().split('\n').slice(-4).join('\n'));
}, 60_000);

test('npm run example -- keras-check: a user\'s own BCE, CCE and sparse CCE (sample_weight, logits, label smoothing) agree with keras.*', async () => {
  const { stdout } = await example('keras-check');
  expect(stdout.match(/^ {2}OK: my code agrees with Keras$/gm)).toHaveLength(3);
  expect(stdout).toContain('keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)');
  expect(stdout).toContain('all three checks agree');
}, 60_000);

test('examples/check-my-loss.py: a numpy binary cross-entropy clipped at 1e-12 is explained by POST /check', async () => {
  const { stdout } = await run('/usr/bin/python3', ['examples/check-my-loss.py'], { env: { ...process.env, LOSS_SERVICE_URL: service.url } });
  expect(stdout).toContain('verdict: explained (binary_cross_entropy, reduction mean)');
  expect(stdout).toContain('clip {"eps": 1e-12}: you clip p to [1e-12, 1 − 1e-12] before the log');
  expect(stdout).toMatch(/parts from yours first at \[0, 0\]: yours 27\.631, reference 34\.5388/);
}, 60_000);
