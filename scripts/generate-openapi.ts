// Writes the OpenAPI document generated from the zod schemas to openapi/openapi.json.
// `npm run openapi`; test/openapi.test.ts fails when the committed file drifts from the code.
import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.ts';

export async function generateOpenApi(): Promise<string> {
  const app = await buildApp({ logger: false, workers: 1 });
  await app.ready();
  const doc = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  return doc;
}

export const openApiFile = new URL('../openapi/openapi.json', import.meta.url);

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(openApiFile, await generateOpenApi());
  console.log(`wrote ${openApiFile.pathname}`);
}
