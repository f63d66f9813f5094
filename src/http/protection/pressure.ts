// Load shedding on main-thread pressure: the event loop's delay and the process's RSS, sampled
// every 200 ms. Written here rather than taken from @fastify/under-pressure, whose sampling
// timer calls process.memoryUsage(): that reads /proc and throws EMFILE when the descriptors
// run out (a client holding ~20,000 sockets), and a throw in a timer is an uncaught exception
// that stopped the process. Here a failed reading keeps the last one.
//
// The decision (pressureReason) is apart from the readings, so that a test drives shedding with
// readings of its own (an injected event-loop delay) instead of by making the machine busy.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface PressureLimits {
  /** Shed when the mean event-loop delay of the last sample exceeds this (ms); 0: off. */
  maxEventLoopDelayMs: number;
  /** Shed when the RSS exceeds this (bytes); 0: off. */
  maxRssBytes: number;
}

export interface PressureReading {
  eventLoopDelayMs: number;
  rssBytes: number;
}

/** Where readings come from: the process's own sampler, or a test's. */
export type PressureReadings = () => PressureReading;

export interface PressureOptions extends PressureLimits {
  sampleIntervalMs?: number;
  /** Readings to use instead of sampling this process (tests). */
  readings?: PressureReadings;
}

export interface PressureMonitor {
  /** Why the service is under pressure now, or null. */
  reason(): 'event_loop_delay' | 'rss' | null;
  stop(): void;
}

export function pressureReason(reading: PressureReading, limits: PressureLimits): 'event_loop_delay' | 'rss' | null {
  if (limits.maxEventLoopDelayMs > 0 && reading.eventLoopDelayMs > limits.maxEventLoopDelayMs) return 'event_loop_delay';
  if (limits.maxRssBytes > 0 && reading.rssBytes > limits.maxRssBytes) return 'rss';
  return null;
}

const RESOLUTION_MS = 10;

/** Samples this process's event-loop delay (and its RSS when `rss`) every `intervalMs`. */
function sampleProcess(intervalMs: number, rss: boolean): { read: PressureReadings; stop(): void } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const reading: PressureReading = { eventLoopDelayMs: 0, rssBytes: 0 };
  let lastTick = performance.now();
  const timer = setInterval(() => {
    // The histogram's mean, or, when a long block left it no sample, how late this tick is.
    const now = performance.now();
    const late = Math.max(0, now - lastTick - intervalMs);
    lastTick = now;
    reading.eventLoopDelayMs = histogram.count === 0 ? late : Math.max(late, histogram.mean / 1e6 - RESOLUTION_MS);
    histogram.reset();
    if (rss) {
      try {
        reading.rssBytes = process.memoryUsage.rss();
      } catch {
        // EMFILE/ENFILE while reading /proc: keep the last reading
      }
    }
  }, intervalMs);
  timer.unref();
  return {
    read: () => reading,
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

export function startPressureMonitor(opts: PressureOptions): PressureMonitor {
  const source = opts.readings === undefined ? sampleProcess(opts.sampleIntervalMs ?? 200, opts.maxRssBytes > 0) : { read: opts.readings, stop() {} };
  return { reason: () => pressureReason(source.read(), opts), stop: source.stop };
}
