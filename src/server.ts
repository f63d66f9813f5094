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
const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
closeWithGrace({ delay: graceMs, logger: false }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an uncaught error');
  else app.log.info({ signal }, 'closing: draining in-flight requests');
  const report = await app.drain(Math.max(500, graceMs - 1500));
  app.log.info(report, 'drained');
  await app.close();
  app.log.info('closed');
});

await app.listen({ port: config.PORT, host: config.HOST });
app.log.info(
  {
    memoryLimitBytes: memoryLimitBytes(),
    memoryBudgetBytes: app.memoryBudget.budget,
    heapLimitBytes: getHeapStatistics().heap_size_limit,
    maxConnections: app.server.maxConnections,
  },
  'memory and connection limits',
);
