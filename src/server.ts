// The entry point: read the configuration, build the app, listen; close gracefully on signals.
import closeWithGrace from 'close-with-grace';
import { loadConfig, optionsFromConfig } from './config.ts';
import { getHeapStatistics } from 'node:v8';
import { buildApp } from './app.ts';
import { memoryLimitBytes } from './transport/memoryBudget.ts';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  for (const line of loaded.errors) process.stderr.write(`configuration error: ${line}\n`);
  process.exit(1);
}
const { config } = loaded;
const app = await buildApp(optionsFromConfig(config));

// On SIGTERM/SIGINT: drain (readiness 503 at once, every request in flight answered, each
// connection closed once quiet; http/lifecycle.ts), then close the worker pool and exit 0. The
// drain ends 1.5 s before the grace period so that its last answers and the close fit inside it.
// close-with-grace runs the close (and exits 1 on an uncaught error or other fatal signals).
const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
let stopSignal: NodeJS.Signals | undefined;
const closer = closeWithGrace({ delay: graceMs, logger: false, skip: [...STOP_SIGNALS] }, async ({ err }) => {
  if (err) app.log.error({ err }, 'closing after an uncaught error');
  else app.log.info({ signal: stopSignal }, 'closing: draining in-flight requests');
  const report = await app.drain(Math.max(500, graceMs - 1500));
  app.log.info(report, 'drained');
  await app.close();
  app.log.info('closed');
});

// The stop signal often arrives twice: `npm start` forwards the signal it receives to the service,
// and a signal sent to the process group (a terminal's Ctrl-C, `kill -- -pgid`) reaches npm and
// the service both. A repeat within REPEAT_MS is that copy and must not cut the drain short (it
// did: close-with-grace exits 1 at once on a second signal, resetting the requests in flight); a
// later one is a person asking again, and the process exits at once.
const REPEAT_MS = 1000;
let firstStopAt = 0;
const onStopSignal = (signal: NodeJS.Signals) => {
  if (stopSignal === undefined) {
    stopSignal = signal;
    firstStopAt = performance.now();
    void closer.close();
  } else if (performance.now() - firstStopAt < REPEAT_MS) {
    app.log.info({ signal }, 'the stop signal again (forwarded by npm or sent to the process group); draining goes on');
  } else {
    app.log.warn({ signal }, 'a second stop signal during the drain: exiting now');
    process.exit(1);
  }
};
for (const signal of STOP_SIGNALS) process.on(signal, onStopSignal);

const address = await app.listen({ port: config.PORT, host: config.HOST });
// Where a person starts: the API's documentation and the pictures (Fastify's own line has the
// address alone). The address as a browser on this host would open it.
const base = address.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://127.0.0.1:');
app.log.info({ docs: `${base}/docs`, explore: `${base}/explore`, check: `${base}/check` }, `loss service ready: Swagger UI at ${base}/docs, the losses as pictures at ${base}/explore`);
app.log.info(
  {
    memoryLimitBytes: memoryLimitBytes(),
    memoryBudgetBytes: app.memoryBudget.budget,
    heapLimitBytes: getHeapStatistics().heap_size_limit,
    maxConnections: app.server.maxConnections,
  },
  'memory and connection limits',
);
