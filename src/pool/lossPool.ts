// The compute stage: a fixed pool of worker threads (piscina) running computeLoss, plus an
// inline path for requests so small that the round trip to a worker costs more than the maths.
// Typed arrays go to the worker by transfer and come back the same way: no copies, no JSON.
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
}

declare module 'fastify' {
  interface FastifyInstance {
    lossPool: LossPool;
  }
}

const QUEUE_FULL = 'Task queue is at limit';

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

  const runInWorker = async (task: LossTask): Promise<LossResult> => {
    try {
      return await piscina.run(task, { transferList: taskBuffers(task) });
    } catch (err) {
      if (err instanceof Error && err.message.includes(QUEUE_FULL)) {
        throw new ServiceError('overloaded', `the compute queue is full (${opts.maxQueue} waiting); retry shortly`, { retryAfter: 1 });
      }
      throw err;
    }
  };

  const pool: LossPool = {
    run: (task) => (task.input.predictions.length <= opts.inlineThreshold ? Promise.resolve(computeLoss(task)) : runInWorker(task)),
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
  };
  app.decorate('lossPool', pool);
  app.addHook('onClose', async () => {
    await readyPromise.catch(() => undefined);
    await piscina.close();
  });
}

export default fp(lossPoolPlugin, { name: 'loss-pool', fastify: '5.x' });
