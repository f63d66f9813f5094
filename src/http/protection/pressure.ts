// Load shedding on main-thread pressure: the event loop's delay and the process's RSS, sampled
// every 200 ms. Written here rather than taken from @fastify/under-pressure, whose sampling
// timer calls process.memoryUsage(): that reads /proc and throws EMFILE when the descriptors
// run out (a client holding ~20,000 sockets), and a throw in a timer is an uncaught exception
// that stopped the process. Here a failed reading keeps the last one.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface PressureOptions {
  /** Shed when the mean event-loop delay of the last sample exceeds this (ms); 0: off. */
  maxEventLoopDelayMs: number;
  /** Shed when the RSS exceeds this (bytes); 0: off. */
  maxRssBytes: number;
  sampleIntervalMs?: number;
}

export interface PressureMonitor {
  /** Why the service is under pressure now, or null. */
  reason(): 'event_loop_delay' | 'rss' | null;
  stop(): void;
}

const RESOLUTION_MS = 10;

export function startPressureMonitor(opts: PressureOptions): PressureMonitor {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let delayMs = 0;
  let rss = 0;
  const interval = opts.sampleIntervalMs ?? 200;
  let lastTick = performance.now();
  const timer = setInterval(() => {
    // The histogram's mean, or, when a long block left it no sample, how late this tick is.
    const now = performance.now();
    const late = Math.max(0, now - lastTick - interval);
    lastTick = now;
    delayMs = histogram.count === 0 ? late : Math.max(late, histogram.mean / 1e6 - RESOLUTION_MS);
    histogram.reset();
    if (opts.maxRssBytes > 0) {
      try {
        rss = process.memoryUsage.rss();
      } catch {
        // EMFILE/ENFILE while reading /proc: keep the last reading
      }
    }
  }, interval);
  timer.unref();
  return {
    reason: () => (opts.maxEventLoopDelayMs > 0 && delayMs > opts.maxEventLoopDelayMs ? 'event_loop_delay' : opts.maxRssBytes > 0 && rss > opts.maxRssBytes ? 'rss' : null),
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
