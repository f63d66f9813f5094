// A client that sends a body piece by piece (as an attacker or a slow uploader does) and reads
// the answer whenever it comes, even before the body is fully sent.
import http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Body bytes written before the answer's status line arrived. */
  sentBeforeAnswer: number;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Pieces of the body, produced lazily; the client stops sending once the answer has come. */
  body: Iterable<Buffer> | AsyncIterable<Buffer>;
  /** Gives up after this long (the test then fails on the rejection). */
  timeoutMs?: number;
}

export function send(url: string, opts: SendOptions): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let sent = 0;
    let sentBeforeAnswer = 0;
    // A keep-alive agent: a client that says Connection: close gets its connection closed right
    // after an early answer, and its next write fails (EPIPE) before it has read that answer.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent }, (res) => {
      answered = true;
      sentBeforeAnswer = sent;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        agent.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString(), sentBeforeAnswer });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs ?? 60_000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => {
      // Writing after the server answered and closed is expected; a reset before any answer is not.
      if (!answered) reject(err);
    });
    (async () => {
      for await (const piece of opts.body) {
        if (answered || req.destroyed) return;
        sent += piece.length;
        if (!req.write(piece)) {
          await new Promise<void>((r) => {
            const done = () => {
              req.off('drain', done).off('close', done);
              r();
            };
            req.on('drain', done).on('close', done);
          });
        }
      }
      if (!req.destroyed) req.end();
    })().catch(() => undefined);
  });
}

/** `total` bytes of `fill`, in pieces of `piece` bytes. */
export function* repeated(fill: string, total: number, piece = 1 << 16): Generator<Buffer> {
  const block = Buffer.alloc(piece, fill);
  for (let sent = 0; sent < total; sent += piece) yield sent + piece <= total ? block : block.subarray(0, total - sent);
}

/** The pieces of `body`, with a pause after the first: an answer the server gives at once then
 *  arrives before the rest is written (a server that refuses a chunked body closes the
 *  connection, and a client still writing would lose the answer to EPIPE). */
export async function* pausedAfterFirst(body: Iterable<Buffer>, pauseMs = 200): AsyncGenerator<Buffer> {
  let first = true;
  for (const piece of body) {
    yield piece;
    if (first) await new Promise((r) => setTimeout(r, pauseMs));
    first = false;
  }
}
