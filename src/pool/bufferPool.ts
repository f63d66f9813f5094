// Reuses the large shared buffers of binary requests (input chunks, converted targets, outputs).
// Every large request used to allocate ~120 MB of fresh memory: the first write to each page
// costs a page fault, and the external-memory churn set off mark-compact GCs on the main thread
// (9-12 ms pauses measured) that stalled small requests. Buffers are matched by exact size, which
// is what repeated training requests need.
//
// A request leases its buffers and returns them only when it answered 200: after a failure (a
// deadline abort, say) a terminating worker may still write into them, so they are left to the GC.

export class SharedBufferPool {
  readonly #free = new Map<number, SharedArrayBuffer[]>();
  #idleBytes = 0;
  readonly maxIdleBytes: number;

  constructor(maxIdleBytes: number) {
    this.maxIdleBytes = maxIdleBytes;
  }

  get idleBytes() {
    return this.#idleBytes;
  }

  lease(): BufferLease {
    return new BufferLease(this);
  }

  take(bytes: number): SharedArrayBuffer {
    const reused = this.#free.get(bytes)?.pop();
    if (reused !== undefined) {
      this.#idleBytes -= bytes;
      return reused;
    }
    return new SharedArrayBuffer(bytes);
  }

  give(buffer: SharedArrayBuffer): void {
    if (buffer.byteLength === 0 || this.#idleBytes + buffer.byteLength > this.maxIdleBytes) return;
    const list = this.#free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.#free.set(buffer.byteLength, list);
    this.#idleBytes += buffer.byteLength;
  }
}

/** The buffers one request took; all go back together. */
export class BufferLease {
  readonly #pool: SharedBufferPool;
  readonly #taken: SharedArrayBuffer[] = [];

  constructor(pool: SharedBufferPool) {
    this.#pool = pool;
  }

  allocate = (bytes: number): SharedArrayBuffer => {
    const b = this.#pool.take(bytes);
    this.#taken.push(b);
    return b;
  };

  release(): void {
    for (const b of this.#taken.splice(0)) this.#pool.give(b);
  }
}
