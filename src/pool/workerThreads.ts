// The worker threads: a fixed piscina pool that loads the kernels, answers ready once every
// thread has run a first task, and runs one message at a time with the request's deadline, its
// failures (queue full, deadline, a worker out of heap or dead) mapped onto the error catalog.
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors/catalog.ts';
import type { WorkerMessage } from './worker.ts';

export interface WorkerThreadsOptions {
  workers: number;
  maxQueue: number;
  /** Milliseconds a task may take (queue wait included) before it is stopped; 0: none. */
  deadlineMs: number;
  /** Nice value of the worker threads (0: the process's own). */
  workerNice: number;
  /** Old-space limit of each worker's heap, in MiB (memoryBudget.ts: heapLimitMiB). */
  workerHeapMiB: number;
}

export interface PoolStats {
  inline: number;
  pooled: number;
  /** Of the pooled: large binary requests computed range by range as their body arrived. */
  arriving: number;
  /** Of those: kernel phases run again because the mean's denominator was not the units' count. */
  rescaled: number;
  queueFull: number;
  timedOut: number;
  workerFailures: number;
}

const QUEUE_FULL = /Task queue is at limit|No task queue available/;

/** The refusal of a task that finds the queue full. */
export const queueFull = (maxQueue: number) => new ServiceError('overloaded', `the compute queue is full (${maxQueue} waiting); retry shortly`, { retryAfter: 1 });
const WORKER_DIED = /worker exited|terminated|ERR_WORKER/i;
const WORKER_OUT_OF_MEMORY = /memory limit|out of memory/i;

export function startWorkerThreads(opts: WorkerThreadsOptions, log: FastifyBaseLogger) {
  const piscina = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: opts.workers,
    maxThreads: opts.workers,
    idleTimeout: Number.POSITIVE_INFINITY,
    maxQueue: opts.maxQueue,
    workerData: { nice: opts.workerNice },
    // A worker that outgrows its heap is stopped and replaced (its request answered 413); the
    // process and every other request go on.
    resourceLimits: { maxOldGenerationSizeMb: opts.workerHeapMiB },
  });
  piscina.on('error', (err) => log.error({ err }, 'worker pool error'));

  let ready = false;
  // One tiny task per thread: the pool is ready when every worker has loaded the kernels.
  const warmUp = (): WorkerMessage => ({
    op: 'compute',
    task: {
      loss: 'mse',
      input: { predictions: new Float64Array(1), targets: new Float64Array(1), shape: [1], rows: 1, cols: 1, targetsAreIndices: false, params: {}, extra: {} },
      reduction: 'sum',
      wantPerSample: false,
      wantGradient: false,
      regularization: null,
      checkFinite: false,
      rawTargets: null,
      shapes: { gradient: [1], perSample: [1] },
      transpose: null,
    },
  });
  const readyPromise = Promise.all(Array.from({ length: opts.workers }, () => piscina.run(warmUp()))).then(() => {
    ready = true;
  });
  readyPromise.catch((err) => log.error({ err }, 'worker pool failed to start'));

  const stats: PoolStats = { inline: 0, pooled: 0, arriving: 0, rescaled: 0, queueFull: 0, timedOut: 0, workerFailures: 0 };

  /** One message to a worker, with the deadline and the pool's failures mapped to the catalog. */
  const dispatch = async <T>(message: WorkerMessage, signal: AbortSignal | undefined, transferList: ArrayBuffer[] = []): Promise<T> => {
    try {
      return await piscina.run(message, { transferList, signal });
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (QUEUE_FULL.test(message)) {
        stats.queueFull++;
        throw queueFull(opts.maxQueue);
      }
      if (signal?.aborted || /AbortError|aborted/.test(message)) {
        stats.timedOut++;
        throw new ServiceError('deadline_exceeded', `the computation took longer than the ${opts.deadlineMs} ms deadline and was stopped`);
      }
      if (WORKER_OUT_OF_MEMORY.test(message)) {
        stats.workerFailures++;
        log.warn({ err }, 'a worker ran out of heap on a request; the pool replaces it');
        throw new ServiceError('payload_too_large', `this request needs more memory than a worker's heap of ${opts.workerHeapMiB} MiB; send it in smaller requests`);
      }
      if (WORKER_DIED.test(message)) {
        stats.workerFailures++;
        log.error({ err }, 'a worker died while computing; the pool replaces it');
        throw new ServiceError('internal', 'the worker computing this request stopped (crash or out of memory); it has been replaced, so a retry can succeed');
      }
      throw err;
    }
  };

  // Aborting a running task makes piscina stop that worker thread and start a fresh one, so a
  // runaway computation never holds a worker past the deadline.
  const deadline = () => (opts.deadlineMs > 0 ? AbortSignal.timeout(opts.deadlineMs) : undefined);



  return {
    dispatch,
    deadline,
    stats,
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
    threadList: (): Worker[] => [...piscina.threads],
    /** Waits a few seconds for running tasks (a drain has answered their requests), then stops the threads. */
    async close() {
      await readyPromise.catch(() => undefined);
      const closed = piscina.close();
      const timeout = new Promise<'timeout'>((r) => setTimeout(r, 3000, 'timeout').unref());
      if ((await Promise.race([closed, timeout])) === 'timeout') await piscina.destroy();
    },
  };
}

export type WorkerThreads = ReturnType<typeof startWorkerThreads>;
