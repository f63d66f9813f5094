import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two files at a time whatever the core count (vitest's default is one fewer than the cores:
    // one on these 2-core machines). Most files spend much of their time waiting on a service in
    // another process or thread, and no test asserts a time, so sharing the cores costs nothing
    // but time: 3.6 min on 2 quiet cores against 5.
    maxWorkers: 2,
    // What a test may take before it counts as hung: generous, for a busy machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      // What runs in this process: the app driven with inject(), the kernels inline and in the
      // pool's code paths. Services started as child processes (test/hostile, test/clients) and
      // worker threads are not measured, so their own lines count only where the inline path
      // runs them too.
      include: ['src/**/*.ts'],
      // Entry points that only ever run as their own process or thread: the server and its heap
      // flag (test/hostile and test/clients start them), the worker threads' entry.
      exclude: ['src/server.ts', 'src/heapFlag.ts', 'src/pool/worker.ts'],
      reporter: ['text-summary', 'json-summary'],
      // Measured with every test of npm test: lines 96.5%, statements 94.4%, functions 96.9%,
      // branches 86.5%. A change that leaves its own lines untested fails the run.
      thresholds: { lines: 96, statements: 94, functions: 96, branches: 86 },
      reportsDirectory: 'test-output/coverage',
    },
  },
});
