// The service as the tests start it, without the two defaults that turn a busy machine into
// failures. Load shedding on the event loop's delay: the test's own work stalls the loop that is
// also the service's (building a 100 MB body in-process, say), and the requests under test would
// be shed with 503 for it; shedding has tests of its own that inject the delay
// (test/protection/pressure.test.ts). The 30 s compute deadline: an absolute time, which a large
// request on a loaded machine can pass; the deadline's tests set one of their own
// (test/faults.test.ts). A test that wants either asks for it.
import { buildApp, type AppOptions } from '../../src/app.ts';
import { startService as startServiceProcess, type RunningService, type StartOptions } from '../../load/support/service.ts';

/** buildApp without logs, event-loop shedding or compute deadline, unless given. */
export function buildTestApp(options: AppOptions = {}) {
  return buildApp({ logger: false, maxEventLoopDelayMs: 0, requestDeadlineMs: 0, ...options });
}

/** The service in a child process (load/support/service.ts), without event-loop shedding or
 *  compute deadline unless `env` sets MAX_EVENT_LOOP_DELAY_MS or REQUEST_DEADLINE_MS. */
export function startService(env: Record<string, string> = {}, entry?: string, readyPath?: string | null, options?: StartOptions): Promise<RunningService> {
  return startServiceProcess({ MAX_EVENT_LOOP_DELAY_MS: '0', REQUEST_DEADLINE_MS: '0', ...env }, entry, readyPath, options);
}
export type { RunningService };
