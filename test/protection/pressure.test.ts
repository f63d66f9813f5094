// The pressure monitor measures how long the event loop was held: a short stall is not
// pressure, a long one is, and a reading that fails (EMFILE on /proc) keeps the last one.
import { expect, test } from 'vitest';
import { startPressureMonitor } from '../../src/http/protection/pressure.ts';

const block = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // hold the event loop
  }
};
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a 300 ms stall is below a 1,000 ms limit; a 1,500 ms stall is over it, and the next quiet sample clears it', async () => {
  const monitor = startPressureMonitor({ maxEventLoopDelayMs: 1000, maxRssBytes: 0, sampleIntervalMs: 50 });
  try {
    await tick(120);
    block(300);
    await tick(80);
    expect(monitor.reason()).toBeNull();
    block(1500);
    await tick(20);
    expect(monitor.reason()).toBe('event_loop_delay');
    await tick(200);
    expect(monitor.reason()).toBeNull();
  } finally {
    monitor.stop();
  }
});

test('RSS over its limit is pressure', async () => {
  const monitor = startPressureMonitor({ maxEventLoopDelayMs: 0, maxRssBytes: 1, sampleIntervalMs: 20 });
  try {
    await tick(60);
    expect(monitor.reason()).toBe('rss');
  } finally {
    monitor.stop();
  }
});
