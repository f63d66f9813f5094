// The entry point: read the configuration, build the app, listen; close gracefully on signals.
import closeWithGrace from 'close-with-grace';
import { loadConfig, optionsFromConfig } from './config.ts';
import { buildApp } from './app.ts';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  for (const line of loaded.errors) process.stderr.write(`configuration error: ${line}\n`);
  process.exit(1);
}
const { config } = loaded;
const app = await buildApp(optionsFromConfig(config));

// On SIGTERM/SIGINT: stop accepting (new requests get 503 + Connection: close), answer every
// request in flight, then close the worker pool and exit 0. Past the grace period, exit 1.
closeWithGrace({ delay: config.SHUTDOWN_GRACE_SECONDS * 1000, logger: false }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an uncaught error');
  else app.log.info({ signal }, 'closing: draining in-flight requests');
  await app.close();
  app.log.info('closed');
});

await app.listen({ port: config.PORT, host: config.HOST });
