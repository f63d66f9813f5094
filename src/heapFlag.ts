// Prints the V8 heap flag for the service, sized from the same memory budget the service admits
// requests by (transport/memoryBudget.ts): `npm start` and the Docker image run
// `node $(node src/heapFlag.ts) src/server.ts`. A bad configuration prints nothing here; the
// service itself then names the variable and stops.
import { loadConfig } from './config.ts';
import { defaultBudgetBytes, heapLimitMiB } from './transport/memoryBudget.ts';

const loaded = loadConfig(process.env);
if (loaded.ok) {
  const budget = loaded.config.MEMORY_BUDGET_BYTES > 0 ? loaded.config.MEMORY_BUDGET_BYTES : defaultBudgetBytes();
  process.stdout.write(`--max-old-space-size=${heapLimitMiB(budget)}\n`);
}
