// Worker-thread entry. `compute` runs a whole task and hands its output buffers back by transfer;
// `check` and `kernel` run one phase over a range of blocks of a large request whose arrays are
// shared (SharedArrayBuffer), writing the outputs in place.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { checkBlocks, computeLoss, kernelBlocks } from './computeLoss.ts';
import { resultBuffers, type LossTask } from './lossTask.ts';
import type { FloatArray } from '../losses/types.ts';

// The kernels run at a lower CPU priority than the main thread (Linux: each thread has its own
// nice value; /proc/thread-self names this thread's id). On a machine whose cores the workers
// keep busy, the main thread then still gets a core as soon as it has a request to parse or an
// answer to write: small requests are not stuck behind large computations (load/RESULTS.md, P3).
const nice = (workerData as { nice?: number } | undefined)?.nice ?? 0;
if (nice > 0) {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
  } catch {
    // not Linux, or not allowed: the worker keeps the process's priority
  }
}

export type WorkerMessage =
  | { op: 'compute'; task: LossTask }
  | { op: 'check'; task: LossTask; b0: number; b1: number }
  | { op: 'kernel'; task: LossTask; b0: number; b1: number; gradScale: number; perSample: FloatArray | null; gradient: FloatArray | null };

export default function runLossTask(message: WorkerMessage) {
  switch (message.op) {
    case 'check':
      return checkBlocks(message.task, message.b0, message.b1);
    case 'kernel':
      return kernelBlocks(message.task, message.b0, message.b1, message.gradScale, message.perSample, message.gradient);
    case 'compute': {
      const result = computeLoss(message.task);
      return move({
        get [transferableSymbol]() {
          return resultBuffers(result);
        },
        get [valueSymbol]() {
          return result;
        },
      } as any);
    }
  }
}
