// Memory admission. Every byte the service holds for a request (its body, the tensors decoded
// from it, the outputs and the answer being written) is reserved from one budget before it is
// allocated. A request that does not fit now waits briefly for others to finish, then gets 503 +
// Retry-After; one that could never fit gets 413 naming the budget. So a burst of large requests
// is served one after another instead of all being read at once until the process is killed.
import { totalmem } from 'node:os';
import { ServiceError } from '../errors/catalog.ts';

const MiB = 2 ** 20;

/** What the process may use: the cgroup's memory limit (libuv reads v1 and v2), else the
 *  machine's memory. */
export function memoryLimitBytes(): number {
  const constrained = process.constrainedMemory();
  const total = totalmem();
  return constrained > 0 && constrained < total ? constrained : total;
}

/** Half of the limit goes to requests; the rest is the process itself (code, heaps of the main
 *  thread and the workers, ~250 MiB idle) and the slack of a garbage collector that frees
 *  released buffers some milliseconds after their request ends. */
export function defaultBudgetBytes(limit = memoryLimitBytes()): number {
  return Math.floor(limit / 2);
}

/** The V8 old-space size (MiB) for the main thread and each worker: every request byte that can
 *  live on a JS heap is inside the budget, so a heap the size of the budget (plus room for the
 *  service's own objects) never runs out before the budget refuses a request. */
export function heapLimitMiB(budgetBytes: number): number {
  return Math.ceil(budgetBytes / MiB) + 256;
}

export interface Reservation {
  readonly bytes: number;
  /** Asks for `extra` more bytes now; false if they do not fit (nothing changes then). */
  tryGrow(extra: number): boolean;
  /** Sets the reservation to `total` bytes: shrinking always works, growing as tryGrow. */
  tryResize(total: number): boolean;
  /** Gives everything back; later calls do nothing. */
  release(): void;
}

interface Waiter {
  bytes: number;
  grant: (r: Reservation) => void;
  timer: NodeJS.Timeout;
}

export interface BudgetStats {
  budget: number;
  reserved: number;
  peakReserved: number;
  waiting: number;
  refusedBusy: number;
  refusedTooLarge: number;
}

export class MemoryBudget {
  readonly budget: number;
  /** How long a request that does not fit waits for others to finish before its 503. */
  readonly waitMs: number;
  #reserved = 0;
  #peak = 0;
  readonly #queue: Waiter[] = [];
  #refusedBusy = 0;
  #refusedTooLarge = 0;

  constructor(budget: number, waitMs = 2000) {
    this.budget = budget;
    this.waitMs = waitMs;
  }

  get stats(): BudgetStats {
    return {
      budget: this.budget,
      reserved: this.#reserved,
      peakReserved: this.#peak,
      waiting: this.#queue.length,
      refusedBusy: this.#refusedBusy,
      refusedTooLarge: this.#refusedTooLarge,
    };
  }

  /** The 413 for a request that needs more than the whole budget. */
  tooLarge(bytes: number, what: string): ServiceError {
    this.#refusedTooLarge++;
    return new ServiceError(
      'payload_too_large',
      `${what} needs about ${Math.ceil(bytes / MiB)} MiB of memory to serve, more than the service's whole request budget of ${Math.floor(this.budget / MiB)} MiB (MEMORY_BUDGET_BYTES); send it in smaller requests`,
    );
  }

  busy(): ServiceError {
    this.#refusedBusy++;
    return new ServiceError('overloaded', `the service's memory for requests (${Math.floor(this.budget / MiB)} MiB) is taken by requests in flight; retry shortly`, {
      retryAfter: 1,
    });
  }

  /** Reserves `bytes`, waiting up to waitMs for room; rejects with 413 or 503. */
  acquire(bytes: number, what = 'this request'): Promise<Reservation> {
    if (bytes > this.budget) return Promise.reject(this.tooLarge(bytes, what));
    if (this.#queue.length === 0 && this.#fits(bytes)) return Promise.resolve(this.#grant(bytes));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        grant: resolve,
        timer: setTimeout(() => {
          this.#queue.splice(this.#queue.indexOf(waiter), 1);
          reject(this.busy());
          this.#drain();
        }, this.waitMs),
      };
      this.#queue.push(waiter);
    });
  }

  /** Reserves `bytes` now or throws 413/503: for memory that cannot wait (a body already arriving). */
  acquireNow(bytes: number, what = 'this request'): Reservation {
    if (bytes > this.budget) throw this.tooLarge(bytes, what);
    if (!this.#fits(bytes)) throw this.busy();
    return this.#grant(bytes);
  }

  #fits(bytes: number) {
    return this.#reserved + bytes <= this.budget;
  }

  #grant(initial: number): Reservation {
    this.#add(initial);
    let held = initial;
    let released = false;
    const budget = this;
    return {
      get bytes() {
        return held;
      },
      tryGrow(extra: number) {
        if (released) return false;
        if (!budget.#fits(extra)) return false;
        budget.#add(extra);
        held += extra;
        return true;
      },
      tryResize(total: number) {
        if (total >= held) return this.tryGrow(total - held);
        budget.#reserved -= held - total;
        held = total;
        budget.#drain();
        return true;
      },
      release() {
        if (released) return;
        released = true;
        budget.#reserved -= held;
        held = 0;
        budget.#drain();
      },
    };
  }

  #add(bytes: number) {
    this.#reserved += bytes;
    if (this.#reserved > this.#peak) this.#peak = this.#reserved;
  }

  /** First come, first served: the head of the queue is granted as soon as it fits. */
  #drain() {
    while (this.#queue.length > 0 && this.#fits(this.#queue[0].bytes)) {
      const waiter = this.#queue.shift()!;
      clearTimeout(waiter.timer);
      waiter.grant(this.#grant(waiter.bytes));
    }
  }
}
