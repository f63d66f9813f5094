// Worker-thread entry. `compute` runs a whole task and hands its output buffers back by transfer;
// `check` and `kernel` run one phase over a range of blocks of a large request whose arrays are
// shared (SharedArrayBuffer), writing the outputs in place.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { checkBlocks, computeLoss, kernelBlocks } from './computeLoss.ts';
import { resultBuffers } from './taskArrays.ts';
import type { LossTask } from '../task/lossTask.ts';
import type { FloatArray } from '../losses/types.ts';
import { ServiceError } from '../errors/catalog.ts';
import { parseJsonDocument, type DocumentKind, type TakenTensor, type TensorProblem } from '../transport/jsonDocument.ts';

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
  | {
      op: 'kernel';
      task: LossTask;
      b0: number;
      b1: number;
      gradScale: number;
      perSample: FloatArray | null;
      gradient: FloatArray | null;
      gradients: Record<string, FloatArray>;
    }
  | { op: 'parseJson'; bytes: Uint8Array; kind: DocumentKind; what: string };

/** What a parseJson task answers: the document with its tensors taken out, or its refusal. */
export type ParsedJsonMessage = { value: unknown; tensors: [string, TakenTensor][] } | { problem: TensorProblem };

/** Hands `value` back with `buffers` transferred, not copied. */
const moved = <T>(value: T, buffers: ArrayBuffer[]) =>
  move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return value;
    },
    // biome-ignore lint/suspicious/noExplicitAny: piscina's move() is typed for its Transferable interface, which this object is
  } as any) as unknown as T;

function parseJson(message: Extract<WorkerMessage, { op: 'parseJson' }>): ParsedJsonMessage {
  try {
    const doc = parseJsonDocument(message.bytes, message.kind, message.what);
    const tensors = [...doc.tensors];
    const buffers = tensors.flatMap(([, t]) => ('data' in t ? [t.data.buffer as ArrayBuffer] : []));
    return moved({ value: doc.value, tensors }, buffers);
  } catch (err) {
    // A refusal crosses as data: piscina keeps an error's message but not its code.
    if (err instanceof ServiceError) return { problem: { code: err.code, detail: err.message, field: err.field, index: err.index } };
    throw err;
  }
}

export default function runLossTask(message: WorkerMessage) {
  switch (message.op) {
    case 'check':
      return checkBlocks(message.task, message.b0, message.b1);
    case 'kernel':
      return kernelBlocks(message.task, message.b0, message.b1, message.gradScale, message.perSample, message.gradient, message.gradients);
    case 'compute': {
      const result = computeLoss(message.task);
      return moved(result, resultBuffers(result));
    }
    case 'parseJson':
      return parseJson(message);
  }
}
