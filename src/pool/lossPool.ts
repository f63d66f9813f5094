// The compute stage as the routes see it: a task runs inline when it is so small that the round
// trip to a worker costs more than the maths, in one worker thread, or split across all of them
// (data parallel, through the phase chain of computeLoss.ts); large JSON bodies are parsed in a
// worker too. Typed arrays go to a worker by transfer or are shared: no copies, no JSON.
import type { Worker } from 'node:worker_threads';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../errors/catalog.ts';
import type { InputProblem } from '../losses/types.ts';
import { findLoss } from '../losses/registry.ts';
import { withoutArena } from '../losses/arena.ts';
import { blockLayout, computeLoss, phaseChain, type CheckResult, type KernelResult, type PhaseStep } from './computeLoss.ts';
import { freshShared, inRequestLayout, isShared, taskBuffers } from './taskArrays.ts';
import type { KernelProgress, LossResult, LossTask } from '../task/lossTask.ts';
import { SharedBufferPool } from './bufferPool.ts';
import { startWorkerThreads, type PoolStats, type WorkerThreadsOptions } from './workerThreads.ts';

export type { PoolStats } from './workerThreads.ts';
import type { ParsedJsonMessage } from './worker.ts';
import type { DocumentKind, JsonDocument } from '../transport/jsonDocument.ts';

/** Requests with at least this many prediction elements, on shared buffers, are split across the
 *  workers (data parallel); below it one worker computes the whole request. */
export const SPLIT_THRESHOLD = 262_144;

/** A refused request leaves as the 400 the catalog has for its problem; an answer goes back to
 *  the request's layout (lossTask.ts: inRequestLayout). */
function unwrap(result: LossResult, task: LossTask): LossResult {
  if (result.problem !== null) throw refusal(result.problem);
  return inRequestLayout(task, result);
}
/** Marks ranges done as they finish (in any order) and tells `progress` each time the run of
 *  finished ranges from the first one grows: every unit before its end is computed. */
function completedPrefix(task: LossTask, ranges: readonly (readonly [number, number])[], progress: KernelProgress): (range: number) => void {
  const { units, block } = blockLayout(findLoss(task.loss)!, task.input);
  const finished = new Uint8Array(ranges.length);
  let next = 0;
  return (range) => {
    finished[range] = 1;
    if (range !== next) return;
    while (next < ranges.length && finished[next] === 1) next++;
    progress.done(Math.min(units, ranges[next - 1][1] * block) * task.input.cols);
  };
}

/** A problem as the catalog's refusal (the phases name each input by the loss's own names). */
const refusal = (p: InputProblem) => new ServiceError(p.code, p.detail, { field: p.field, index: p.index });

export interface LossPoolOptions extends WorkerThreadsOptions {
  /** Tasks with at most this many prediction elements run on the main thread. */
  inlineThreshold: number;
}


export interface RunOptions {
  /** Where a split request's shared outputs come from (the request's buffer lease). */
  allocateShared?: (bytes: number) => SharedArrayBuffer;
  /** Told how a split request's kernel phase advances, so that its answer can leave while later
   *  blocks are computed (streamedInferAnswer.ts). Not called on the other paths. */
  progress?: KernelProgress;
}

/** Ranges per worker in a split request: a worker that finishes early takes the next range, and
 *  a streamed answer can send the first ranges while the later ones compute. The blocks and the
 *  order of the sums do not depend on it (computeLoss.ts). */
const RANGES_PER_WORKER = 8;

/** Idle shared buffers kept for reuse, at most. */
const POOLED_BYTES = 1 << 30;

export interface LossPool {
  run(task: LossTask, options?: RunOptions): Promise<LossResult>;
  /** The result at once when `run` would compute the task on this thread (a small task), else
   *  null: a small request's route then answers without a promise and a turn of the microtasks. */
  runNow(task: LossTask): LossResult | null;
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


async function lossPoolPlugin(app: FastifyInstance, opts: LossPoolOptions) {
  const threads = startWorkerThreads(opts, app.log);
  const { dispatch, deadline, stats } = threads;

  const runInWorker = async (task: LossTask): Promise<LossResult> => {
    stats.pooled++;
    const posted = withoutArena(task);
    return unwrap(await dispatch<LossResult>({ op: 'compute', task: posted }, deadline(), taskBuffers(posted)), task);
  };

  // Data parallel within one request: the phase chain (computeLoss.ts) with each phase run by
  // every worker over its own range of blocks of the shared arrays; the block sums and
  // denominator shares come back and are added in block order, exactly as in one thread.
  const runSplit = async (task: LossTask, options: RunOptions = {}): Promise<LossResult> => {
    stats.pooled++;
    const signal = deadline();
    const chain = phaseChain(task, opts.workers * RANGES_PER_WORKER, options.allocateShared ?? freshShared);
    const posted = withoutArena(task);
    const { progress } = options;
    const inWorkers = (step: PhaseStep) => {
      if (step.phase === 'check') return Promise.all(step.ranges.map(([b0, b1]) => dispatch<CheckResult>({ op: 'check', task: posted, b0, b1 }, signal)));
      progress?.start(step);
      const prefix = progress === undefined ? null : completedPrefix(task, step.ranges, progress);
      return Promise.all(
        step.ranges.map(([b0, b1], i) =>
          dispatch<KernelResult>({ op: 'kernel', task: posted, b0, b1, gradScale: step.gradScale, perSample: step.perSample, gradient: step.gradient, gradients: step.gradients }, signal).then((r) => {
            prefix?.(i);
            return r;
          }),
        ),
      );
    };
    let next = chain.next();
    while (!next.done) next = chain.next((await inWorkers(next.value)) as CheckResult[] | KernelResult[]);
    return unwrap(next.value, task);
  };

  // Every large array must be shared; empty targets (losses without) and the small `free` inputs
  // (ctc's lengths) go to each worker as copies.
  const splittable = (task: LossTask) =>
    opts.workers > 1 &&
    !findLoss(task.loss)!.tensors.coupledRows &&
    task.input.predictions.length >= SPLIT_THRESHOLD &&
    [task.input.predictions, task.input.targets, task.rawTargets ?? task.input.targets].every((a) => a.length === 0 || isShared(a.buffer));

  const runInline = (task: LossTask) => unwrap(computeLoss(task), task);
  const runNow = (task: LossTask) => {
    if (splittable(task) || task.input.predictions.length > opts.inlineThreshold) return null;
    stats.inline++;
    return runInline(task);
  };
  const pool: LossPool = {
    run: async (task, options) => (splittable(task) ? runSplit(task, options) : (runNow(task) ?? runInWorker(task))),
    runNow,
    runInWorker,
    runSplit,
    buffers: new SharedBufferPool(POOLED_BYTES),
    runInline,
    parseJson: async (bytes, kind, what) => {
      // The body's own ArrayBuffer moves to the worker: readBody gives a large body one of its own
      // (a small one, from the arena's slab, is parsed on this thread; it would be copied here).
      const view = withoutArena(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const parsed = await dispatch<ParsedJsonMessage>({ op: 'parseJson', bytes: view, kind, what }, deadline(), [view.buffer as ArrayBuffer]);
      if ('problem' in parsed) {
        const p = parsed.problem;
        throw new ServiceError(p.code, p.detail, { field: p.field, index: p.index });
      }
      return { value: parsed.value, tensors: new Map(parsed.tensors) };
    },
    ready: threads.ready,
    isReady: threads.isReady,
    get queueSize() {
      return threads.queueSize;
    },
    get utilization() {
      return threads.utilization;
    },
    get threads() {
      return threads.threads;
    },
    stats,
    workerThreads: threads.threadList,
  };
  app.decorate('lossPool', pool);
  app.addHook('onClose', () => threads.close());
}

export default fp(lossPoolPlugin, { name: 'loss-pool', fastify: '5.x' });
