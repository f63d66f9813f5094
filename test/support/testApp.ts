// The service as the tests start it. Load shedding on the event loop's delay is off: on a busy
// machine (or beside other test files) the test's own work stalls the loop that is also the
// service's (building a 100 MB body in-process, say), and the requests under test would be shed
// with 503 for it. Shedding has tests of its own that inject the delay
// (test/protection/pressure.test.ts); every other test asks for it explicitly where it wants it.
import { buildApp, type AppOptions } from '../../src/app.ts';
import { startService as startServiceProcess, type RunningService, type StartOptions } from '../../load/support/service.ts';

const noShedding = { maxEventLoopDelayMs: 0 };

/** buildApp without logs (unless given) and without event-loop shedding (unless given). */
export function buildTestApp(options: AppOptions = {}) {
  return buildApp({ logger: false, ...noShedding, ...options });
}

/** The service in a child process (load/support/service.ts), without event-loop shedding unless
 *  `env` sets MAX_EVENT_LOOP_DELAY_MS. */
export function startService(env: Record<string, string> = {}, entry?: string, readyPath?: string | null, options?: StartOptions): Promise<RunningService> {
  return startServiceProcess({ MAX_EVENT_LOOP_DELAY_MS: '0', ...env }, entry, readyPath, options);
}
export type { RunningService };
