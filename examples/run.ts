// npm run example -- NAME: runs examples/NAME.ts against LOSS_SERVICE_URL (default http://127.0.0.1:3000).
import { existsSync, readdirSync } from 'node:fs';

const name = process.argv[2];
const available = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.ts') && !['run.ts', 'lossClient.ts'].includes(f)).map((f) => f.slice(0, -3));
if (name === undefined || !existsSync(new URL(`./${name}.ts`, import.meta.url)) || !available.includes(name)) {
  console.error(`usage: npm run example -- NAME, with NAME one of: ${available.join(', ')}`);
  process.exit(2);
}
await import(`./${name}.ts`);
