// How far a body that is still being read has come: waiters for a byte position, resolved as the
// bytes arrive, and the body's end (or its failure). A large binary v2 request is prepared and
// computed range by range while its body arrives (lossPool.ts, runArriving); this is what it
// waits on. Every promise handed out has a handler attached, so a failure nobody waits for any
// more (the request was refused first) is never an unhandled rejection.
interface Waiter {
  position: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class BodyArrival {
  #received = 0;
  #failure: { err: unknown } | null = null;
  #waiters: Waiter[] = [];
  #end!: () => void;
  #fail!: (err: unknown) => void;
  /** Resolves when the whole body is in; rejects with the reason it never will be. */
  readonly complete: Promise<void>;

  constructor() {
    this.complete = new Promise<void>((resolve, reject) => {
      this.#end = resolve;
      this.#fail = reject;
    });
    this.complete.catch(() => {});
  }

  /** Resolves once `position` bytes are in. */
  until(position: number): Promise<void> {
    if (position <= this.#received) return Promise.resolve();
    if (this.#failure !== null) return handled(Promise.reject(this.#failure.err));
    return handled(new Promise<void>((resolve, reject) => this.#waiters.push({ position, resolve, reject })));
  }

  /** `bytes` bytes are in, in all. */
  advance(bytes: number): void {
    this.#received = bytes;
    if (this.#waiters.length === 0) return;
    const waiting: Waiter[] = [];
    for (const w of this.#waiters) (w.position <= bytes ? w.resolve() : waiting.push(w));
    this.#waiters = waiting;
  }

  end(): void {
    this.#end();
  }

  fail(err: unknown): void {
    this.#failure = { err };
    for (const w of this.#waiters.splice(0)) w.reject(err);
    this.#fail(err);
  }
}

function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
