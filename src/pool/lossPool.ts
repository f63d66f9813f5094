// The compute stage: a fixed pool of worker threads (piscina) running computeLoss, plus an
// inline path for requests so small that the round trip to a worker costs more than the maths.
// Typed arrays go to the worker by transfer and come back the same way: no copies, no JSON.
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../errors/catalog.ts';
import { computeLoss } from './computeLoss.ts';
import { taskBuffers, type LossResult, type LossTask } from './lossTask.ts';

export interface LossPoolOptions {
  workers: number;
  /** Tasks with at most this many prediction elements run on the main thread. */
  inlineThreshold: number;
  maxQueue: number;
  /** Milliseconds a task may take in the pool (queue wait included) before it is stopped; 0: none. */
  deadlineMs: number;
}

export interface PoolStats {
  inline: number;
  pooled: number;
  queueFull: number;
  timedOut: number;
  workerFailures: number;
}

export interface LossPool {
  run(task: LossTask): Promise<LossResult>;
  /** Runs the task in a worker whatever its size (tests compare it with the inline path). */
  runInWorker(task: LossTask): Promise<LossResult>;
  runInline(task: LossTask): LossResult;
  /** Resolves once every worker thread has started and answered a task. */
  readonly ready: Promise<void>;
  isReady(): boolean;
  readonly queueSize: number;
  readonly utilization: number;
  readonly threads: number;
  readonly stats: PoolStats;
  /** The worker threads (fault tests stop one mid-task). */
  workerThreads(): Worker[];
}

declare module 'fastify' {
  interface FastifyInstance {
    lossPool: LossPool;
  }
}

const QUEUE_FULL = /Task queue is at limit|No task queue available/;
const WORKER_DIED = /worker exited|terminated|ERR_WORKER/i;

async function lossPoolPlugin(app: FastifyInstance, opts: LossPoolOptions) {
  const piscina = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: opts.workers,
    maxThreads: opts.workers,
    idleTimeout: Number.POSITIVE_INFINITY,
    maxQueue: opts.maxQueue,
  });
  piscina.on('error', (err) => app.log.error({ err }, 'worker pool error'));

  let ready = false;
  // One tiny task per thread: the pool is ready when every worker has loaded the kernels.
  const warmUp: LossTask = {
    loss: 'mse',
    input: { predictions: new Float64Array(1), targets: new Float64Array(1), shape: [1], rows: 1, cols: 1, lastDim: 1, targetsAreIndices: false, params: {} },
    reduction: 'sum',
    denominator: 1,
    wantPerSample: false,
    wantGradient: false,
    regularization: null,
  };
  const readyPromise = Promise.all(Array.from({ length: opts.workers }, () => piscina.run(warmUp))).then(() => {
    ready = true;
  });
  readyPromise.catch((err) => app.log.error({ err }, 'worker pool failed to start'));

  const stats: PoolStats = { inline: 0, pooled: 0, queueFull: 0, timedOut: 0, workerFailures: 0 };

  const runInWorker = async (task: LossTask): Promise<LossResult> => {
    // Aborting a running task makes piscina stop that worker thread and start a fresh one, so a
    // runaway computation never holds a worker past the deadline.
    const signal = opts.deadlineMs > 0 ? AbortSignal.timeout(opts.deadlineMs) : undefined;
    stats.pooled++;
    try {
      return await piscina.run(task, { transferList: taskBuffers(task), signal });
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (QUEUE_FULL.test(message)) {
        stats.queueFull++;
        throw new ServiceError('overloaded', `the compute queue is full (${opts.maxQueue} waiting); retry shortly`, { retryAfter: 1 });
      }
      if (signal?.aborted || /AbortError|aborted/.test(message)) {
        stats.timedOut++;
        throw new ServiceError('deadline_exceeded', `the computation took longer than the ${opts.deadlineMs} ms deadline and was stopped`);
      }
      if (WORKER_DIED.test(message)) {
        stats.workerFailures++;
        app.log.error({ err }, 'a worker died while computing; the pool replaces it');
        throw new ServiceError('internal', 'the worker computing this request stopped (crash or out of memory); it has been replaced, so a retry can succeed');
      }
      throw err;
    }
  };

  const pool: LossPool = {
    run: async (task) => {
      if (task.input.predictions.length > opts.inlineThreshold) return runInWorker(task);
      stats.inline++;
      return computeLoss(task);
    },
    runInWorker,
    runInline: computeLoss,
    ready: readyPromise,
    isReady: () => ready,
    get queueSize() {
      return piscina.queueSize;
    },
    get utilization() {
      return piscina.utilization;
    },
    get threads() {
      return piscina.threads.length;
    },
    stats,
    workerThreads: () => [...piscina.threads],
  };
  app.decorate('lossPool', pool);
  app.addHook('onClose', async () => {
    await readyPromise.catch(() => undefined);
    await piscina.close();
  });
}

export default fp(lossPoolPlugin, { name: 'loss-pool', fastify: '5.x' });
