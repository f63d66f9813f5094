// The compute stage: a fixed pool of worker threads (piscina) running computeLoss, plus an
// inline path for requests so small that the round trip to a worker costs more than the maths.
// Typed arrays go to the worker by transfer and come back the same way: no copies, no JSON.
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../errors/catalog.ts';
import type { InputProblem } from '../losses/types.ts';
import { blocking, computeLoss, definitionOf, denominatorOf, finishLoss, outputLike, type CheckResult, type KernelResult } from './computeLoss.ts';
import { freshShared, isShared, taskBuffers, type LossResult, type LossTask } from './lossTask.ts';
import { SharedBufferPool } from './bufferPool.ts';
import type { ParsedJsonMessage, WorkerMessage } from './worker.ts';
import type { DocumentKind, JsonDocument } from '../transport/jsonDocument.ts';

/** Requests with at least this many prediction elements, on shared buffers, are split across the
 *  workers (data parallel); below it one worker computes the whole request. */
export const SPLIT_THRESHOLD = 262_144;

/** A refused request leaves as the 400 the catalog has for its problem. */
function unwrap(result: LossResult): LossResult {
  if (result.problem !== null) throw refusal(result.problem);
  return result;
}
const refusal = (p: InputProblem) => new ServiceError(p.code, p.detail, { field: p.field, index: p.index });

export interface LossPoolOptions {
  workers: number;
  /** Tasks with at most this many prediction elements run on the main thread. */
  inlineThreshold: number;
  maxQueue: number;
  /** Milliseconds a task may take in the pool (queue wait included) before it is stopped; 0: none. */
  deadlineMs: number;
  /** Nice value of the worker threads (0: the process's own). */
  workerNice: number;
  /** Old-space limit of each worker's heap, in MiB (memoryBudget.ts: heapLimitMiB). */
  workerHeapMiB: number;
}

export interface PoolStats {
  inline: number;
  pooled: number;
  queueFull: number;
  timedOut: number;
  workerFailures: number;
}

export interface RunOptions {
  /** Where a split request's shared outputs come from (the request's buffer lease). */
  allocateShared?: (bytes: number) => SharedArrayBuffer;
}

/** Idle shared buffers kept for reuse, at most. */
const POOLED_BYTES = 1 << 30;

export interface LossPool {
  run(task: LossTask, options?: RunOptions): Promise<LossResult>;
  /** Shared buffers for large binary requests, reused across requests. */
  readonly buffers: SharedBufferPool;
  /** Runs the task in a worker whatever its size (tests compare it with the inline path). */
  runInWorker(task: LossTask): Promise<LossResult>;
  /** Runs the task split across all workers (its arrays must be shared). */
  runSplit(task: LossTask, options?: RunOptions): Promise<LossResult>;
  runInline(task: LossTask): LossResult;
  /** Parses a large JSON body in a worker (its buffer is transferred there). */
  parseJson(bytes: Buffer, kind: DocumentKind, what: string): Promise<JsonDocument>;
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
const WORKER_OUT_OF_MEMORY = /memory limit|out of memory/i;

async function lossPoolPlugin(app: FastifyInstance, opts: LossPoolOptions) {
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
  piscina.on('error', (err) => app.log.error({ err }, 'worker pool error'));

  let ready = false;
  // One tiny task per thread: the pool is ready when every worker has loaded the kernels.
  const warmUp = (): WorkerMessage => ({
    op: 'compute',
    task: {
      loss: 'mse',
      input: { predictions: new Float64Array(1), targets: new Float64Array(1), shape: [1], rows: 1, cols: 1, lastDim: 1, targetsAreIndices: false, params: {} },
      reduction: 'sum',
      wantPerSample: false,
      wantGradient: false,
      regularization: null,
      checkFinite: false,
      rawTargets: null,
    },
  });
  const readyPromise = Promise.all(Array.from({ length: opts.workers }, () => piscina.run(warmUp()))).then(() => {
    ready = true;
  });
  readyPromise.catch((err) => app.log.error({ err }, 'worker pool failed to start'));

  const stats: PoolStats = { inline: 0, pooled: 0, queueFull: 0, timedOut: 0, workerFailures: 0 };

  /** One message to a worker, with the deadline and the pool's failures mapped to the catalog. */
  const dispatch = async <T>(message: WorkerMessage, signal: AbortSignal | undefined, transferList: ArrayBuffer[] = []): Promise<T> => {
    try {
      return await piscina.run(message, { transferList, signal });
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
      if (WORKER_OUT_OF_MEMORY.test(message)) {
        stats.workerFailures++;
        app.log.warn({ err }, 'a worker ran out of heap on a request; the pool replaces it');
        throw new ServiceError('payload_too_large', `this request needs more memory than a worker's heap of ${opts.workerHeapMiB} MiB; send it in smaller requests`);
      }
      if (WORKER_DIED.test(message)) {
        stats.workerFailures++;
        app.log.error({ err }, 'a worker died while computing; the pool replaces it');
        throw new ServiceError('internal', 'the worker computing this request stopped (crash or out of memory); it has been replaced, so a retry can succeed');
      }
      throw err;
    }
  };

  // Aborting a running task makes piscina stop that worker thread and start a fresh one, so a
  // runaway computation never holds a worker past the deadline.
  const deadline = () => (opts.deadlineMs > 0 ? AbortSignal.timeout(opts.deadlineMs) : undefined);

  const runInWorker = async (task: LossTask): Promise<LossResult> => {
    stats.pooled++;
    return unwrap(await dispatch<LossResult>({ op: 'compute', task }, deadline(), taskBuffers(task)));
  };

  // Data parallel within one request: each worker checks, then computes, a contiguous range of
  // blocks of the shared arrays; block sums and denominator shares come back and are added in
  // block order, exactly as computeLoss adds them in one thread.
  const runSplit = async (task: LossTask, options: RunOptions = {}): Promise<LossResult> => {
    const allocate = options.allocateShared ?? freshShared;
    stats.pooled++;
    const signal = deadline();
    const { blocks, units } = blocking(definitionOf(task), task.input);
    const k = Math.min(opts.workers, blocks);
    const ranges = Array.from({ length: k }, (_, i) => [Math.floor((i * blocks) / k), Math.floor(((i + 1) * blocks) / k)] as const);
    const checks = await Promise.all(ranges.map(([b0, b1]) => dispatch<CheckResult>({ op: 'check', task, b0, b1 }, signal)));
    const first = checks.find((c) => c.problem !== null);
    if (first !== undefined) throw refusal(first.problem!);
    const { denominator, problem } = denominatorOf(task, checks.map((c) => c.denominators));
    if (problem !== null) throw refusal(problem);
    const perSample = task.wantPerSample ? outputLike(task.input.predictions, units, allocate) : null;
    const gradient = task.wantGradient ? outputLike(task.input.predictions, task.input.predictions.length, allocate) : null;
    const gradScale = task.reduction === 'sum' ? 1 : 1 / denominator;
    const kernels = await Promise.all(ranges.map(([b0, b1]) => dispatch<KernelResult>({ op: 'kernel', task, b0, b1, gradScale, perSample, gradient }, signal)));
    const nonFinite = kernels.map((r) => r.firstNonFiniteGradient).find((i) => i >= 0) ?? -1;
    return finishLoss(task, denominator, kernels.map((r) => r.sums), perSample, gradient, nonFinite);
  };

  const splittable = (task: LossTask) =>
    opts.workers > 1 &&
    task.input.predictions.length >= SPLIT_THRESHOLD &&
    [task.input.predictions.buffer, task.input.targets.buffer, task.rawTargets?.buffer ?? task.input.targets.buffer].every(isShared);

  const pool: LossPool = {
    run: async (task, options) => {
      if (splittable(task)) return runSplit(task, options);
      if (task.input.predictions.length > opts.inlineThreshold) return runInWorker(task);
      stats.inline++;
      return unwrap(computeLoss(task));
    },
    runInWorker,
    runSplit,
    buffers: new SharedBufferPool(POOLED_BYTES),
    runInline: (task) => unwrap(computeLoss(task)),
    parseJson: async (bytes, kind, what) => {
      // The body's own ArrayBuffer moves to the worker (readBody gives every body one of its own).
      const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const parsed = await dispatch<ParsedJsonMessage>({ op: 'parseJson', bytes: view, kind, what }, deadline(), [bytes.buffer as ArrayBuffer]);
      if ('problem' in parsed) {
        const p = parsed.problem;
        throw new ServiceError(p.code, p.detail, { field: p.field, index: p.index });
      }
      return { value: parsed.value, tensors: new Map(parsed.tensors) };
    },
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
    // Tasks still running belong to requests a drain has already answered: a few seconds for
    // them, then the threads are stopped.
    const closed = piscina.close();
    const timeout = new Promise<'timeout'>((r) => setTimeout(r, 3000, 'timeout').unref());
    if ((await Promise.race([closed, timeout])) === 'timeout') await piscina.destroy();
  });
}

export default fp(lossPoolPlugin, { name: 'loss-pool', fastify: '5.x' });
