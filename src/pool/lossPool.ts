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
import { afterChecks, afterKernels, blockLayout, computeLoss, denominatorOf, kernelStep, phaseChain, phaseRanges, refused, type CheckResult, type KernelResult, type PhaseStep } from './computeLoss.ts';
import { freshShared, inRequestLayout, isShared, taskBuffers } from './taskArrays.ts';
import type { KernelOutputs, KernelProgress, LossResult, LossTask, TensorArrival } from '../task/lossTask.ts';
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
 *  finished ranges from the first one grows: every unit before its end is computed. Told nothing
 *  until `start` (a range may finish before its request's checks have all passed). */
class CompletedPrefix {
  readonly #finished: Uint8Array;
  #next = 0;
  #started = false;
  readonly #units: number;
  readonly #block: number;
  readonly #cols: number;
  readonly #ranges: PhaseStep['ranges'];
  readonly #progress: KernelProgress;

  constructor(task: LossTask, ranges: PhaseStep['ranges'], progress: KernelProgress) {
    ({ units: this.#units, block: this.#block } = blockLayout(findLoss(task.loss)!, task.input));
    this.#cols = task.input.cols;
    this.#ranges = ranges;
    this.#progress = progress;
    this.#finished = new Uint8Array(ranges.length);
  }

  /** The checks passed: the kernel phase's outputs are those of `step`. */
  start(step: KernelOutputs): void {
    this.#started = true;
    this.#progress.start(step);
    this.#report();
  }

  finish(range: number): void {
    this.#finished[range] = 1;
    if (this.#started && range === this.#next) this.#report();
  }

  #report() {
    const before = this.#next;
    while (this.#next < this.#ranges.length && this.#finished[this.#next] === 1) this.#next++;
    if (this.#next > before) this.#progress.done(Math.min(this.#units, this.#ranges[this.#next - 1][1] * this.#block) * this.#cols);
  }
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
  /** The task's arrays are still being filled from the request's body: a split request is
   *  computed range by range as they arrive, any other once the body is in. */
  arrival?: TensorArrival;
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

  const kernelIn = (posted: LossTask, step: Extract<PhaseStep, { phase: 'kernel' }>, [b0, b1]: readonly [number, number], signal: AbortSignal | undefined, prefix: CompletedPrefix | null, i: number) =>
    dispatch<KernelResult>({ op: 'kernel', task: posted, b0, b1, gradScale: step.gradScale, perSample: step.perSample, gradient: step.gradient, gradients: step.gradients }, signal).then((r) => {
      prefix?.finish(i);
      return r;
    });

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
      const prefix = progress === undefined ? null : new CompletedPrefix(task, step.ranges, progress);
      prefix?.start(step);
      return Promise.all(step.ranges.map((range, i) => kernelIn(posted, step, range, signal, prefix, i)));
    };
    let next = chain.next();
    while (!next.done) next = chain.next((await inWorkers(next.value)) as CheckResult[] | KernelResult[]);
    return unwrap(next.value, task);
  };

  // A request whose body is still arriving (TensorArrival): each range is checked as soon as its
  // units are in, and its kernel runs right after its check, with the scale of the denominator the
  // range's units give (every unit counted once: the mean of an unweighted loss). Once the last
  // range is checked the true denominator is known: when it is that one (nearly always), the
  // kernels already run are the answer's, in the same blocks and the same order of sums as the
  // phase chain; otherwise (class weights, ignored targets) the kernel phase runs again with the
  // true scale. A refusal is the chain's: the first range's, in range order, checks before kernels.
  // The compute deadline counts from the body's last byte.
  const runArriving = async (task: LossTask, arrival: TensorArrival, options: RunOptions): Promise<LossResult> => {
    const { units, block } = blockLayout(findLoss(task.loss)!, task.input);
    // The denominator if every unit counts once (its shares are the blocks' sizes, added exactly).
    const guess = denominatorOf(task, [Float64Array.of(units)]);
    if (guess.problem !== null) {
      await arrival.complete;
      return runSplit(task, options);
    }
    stats.pooled++;
    stats.arriving++;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const signal = opts.deadlineMs > 0 ? controller.signal : undefined;
    const ranges = phaseRanges(task, opts.workers * RANGES_PER_WORKER);
    const speculative = kernelStep(task, ranges, guess.denominator, options.allocateShared ?? freshShared);
    const posted = withoutArena(task);
    const prefix = options.progress === undefined ? null : new CompletedPrefix(task, ranges, options.progress);
    const checks: Promise<CheckResult>[] = [];
    const kernels: Promise<KernelResult | null>[] = [];
    let anyRefused = false;
    let bodyFailure: unknown = null;
    let over = false;
    arrival.complete.then(
      () => {
        if (signal !== undefined && !over) timer = setTimeout(() => controller.abort(), opts.deadlineMs).unref();
      },
      () => {},
    );
    try {
      for (const [i, range] of ranges.entries()) {
        try {
          await arrival.until(Math.min(units, range[1] * block));
        } catch (err) {
          bodyFailure = err;
          break;
        }
        const check = dispatch<CheckResult>({ op: 'check', task: posted, b0: range[0], b1: range[1] }, signal);
        checks.push(check);
        kernels.push(
          check.then((c) => {
            anyRefused ||= c.problem !== null;
            // No kernel after a refusal or a failed body: its result would be thrown away.
            return anyRefused || bodyFailure !== null ? null : kernelIn(posted, speculative, range, signal, prefix, i);
          }),
        );
      }
      const settled = await Promise.allSettled(checks);
      const failedDispatch = settled.find((r) => r.status === 'rejected');
      const checked = bodyFailure === null && failedDispatch === undefined ? afterChecks(task, (settled as PromiseFulfilledResult<CheckResult>[]).map((r) => r.value)) : null;
      if (checked === null || checked.problem !== null) {
        // Nothing is answered while a worker may still write into this request's arrays.
        await Promise.allSettled(kernels);
        if (bodyFailure !== null) throw bodyFailure;
        if (failedDispatch !== undefined) throw (failedDispatch as PromiseRejectedResult).reason;
        return unwrap(refused(checked!.problem!), task);
      }
      if (checked.denominator === speculative.denominator) {
        prefix?.start(speculative);
        const done = await Promise.allSettled(kernels);
        const failed = done.find((r) => r.status === 'rejected');
        if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
        return unwrap(afterKernels(task, speculative, (done as PromiseFulfilledResult<KernelResult>[]).map((r) => r.value)), task);
      }
      await Promise.allSettled(kernels);
      stats.rescaled++;
      const step = kernelStep(task, ranges, checked.denominator, undefined, speculative);
      const again = options.progress === undefined ? null : new CompletedPrefix(task, ranges, options.progress);
      again?.start(step);
      return unwrap(afterKernels(task, step, await Promise.all(ranges.map((range, i) => kernelIn(posted, step, range, signal, again, i)))), task);
    } finally {
      over = true;
      clearTimeout(timer);
    }
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
    run: async (task, options = {}) => {
      if (options.arrival !== undefined) {
        if (splittable(task)) return runArriving(task, options.arrival, options);
        await options.arrival.complete;
      }
      return splittable(task) ? runSplit(task, options) : (runNow(task) ?? runInWorker(task));
    },
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
