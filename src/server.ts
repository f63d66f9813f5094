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

closeWithGrace({ delay: 10_000, logger: false }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an uncaught error');
  else app.log.info({ signal }, 'closing');
  await app.close();
});

await app.listen({ port: config.PORT, host: config.HOST });
