// Connections and shutdown.
//
// Connections: at most maxConnections at once (from the open-files limit), so that accepting
// sockets can never use up the descriptors the process needs for itself; and an accept that
// fails (EMFILE, ENFILE, ENOMEM) is pressure, logged once a minute, never a reason to stop.
//
// Drain (app.drain, on SIGTERM): readiness turns 503 at once, and no connection is cut: every
// request in flight, including one whose body is still arriving, is served, and its answer says
// Connection: close; the service stops listening once it has been quiet. A connection is closed only when
// it has been quiet (no request, no byte read) for QUIET_MS, so a request that a client sent just
// before the signal is read and answered, not reset. When the grace period runs out, requests
// still unanswered get a 503 (Connection: close) before their sockets close: every request gets
// an answer.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { ServiceError } from '../errors/catalog.ts';
import { sendError } from '../errors/errorsPlugin.ts';

/** A body refused before it had fully arrived, of at most this Content-Length, is read to its
 *  end and discarded instead of the connection being closed under it. */
export const LINGER_BODY_BYTES = 8 * 1024 * 1024;

/** Fastify closes the connection after refusing a body that is still arriving (Connection:
 *  close), so that the rest cannot be read as a request. But closing a socket with unread bytes
 *  resets it, and a client still writing then fails on its write (EPIPE) before it reads the
 *  answer: a 1 MB body nested too deep was a reset now and then, not a 400. A body of announced
 *  length is framed by it (Node's parser reads the rest as this request's and discards it), so
 *  up to LINGER_BODY_BYTES the connection is kept and the client reads its answer; a larger or
 *  chunked one is still cut off unread. */
function keepSmallBodyConnection(raw: FastifyRequest['raw'], reply: FastifyReply): void {
  const length = Number(raw.headers['content-length']);
  if (raw.headers['transfer-encoding'] !== undefined || !Number.isSafeInteger(length) || length > LINGER_BODY_BYTES) return;
  reply.removeHeader('connection');
  raw.resume();
}

declare module 'fastify' {
  interface FastifyInstance {
    /** True from the start of a drain: readiness answers 503. */
    readonly draining: boolean;
    /** Answers everything in flight and closes every connection, within `graceMs`. */
    drain(graceMs: number): Promise<DrainReport>;
  }
}

export interface DrainReport {
  /** Requests answered with the 503 of an expired grace period. */
  cutShort: number;
  ms: number;
}

/** A connection with no request and no new byte for this long is closed during a drain. */
const QUIET_MS = 300;
/** ... but a connection that has not sent its first request yet is waited for this long (within
 *  the grace period): a client connected to send one, and on a busy machine its write can come
 *  well after its connect (closing it at 300 ms reset such a request in CI: ECONNRESET). */
const FIRST_REQUEST_MS = 5000;
/** Descriptors kept for the process itself (workers, logs, /proc reads, the listening socket). */
const RESERVED_FDS = 128;

/** The soft limit on open files (Linux /proc), or null where it cannot be read. */
export function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

export function defaultMaxConnections(): number {
  const fds = openFilesLimit();
  return fds === null ? 16_384 : Math.max(16, fds - RESERVED_FDS);
}

interface Tracked {
  active: number;
  /** Requests it has carried. */
  served: number;
  bytesRead: number;
  quietSince: number;
}

async function lifecycle(app: FastifyInstance, opts: { maxConnections: number; bodyLimit: number }) {
  let draining = false;
  const sockets = new Map<Socket, Tracked>();
  const inFlight = new Set<FastifyReply>();

  app.server.maxConnections = opts.maxConnections > 0 ? opts.maxConnections : defaultMaxConnections();
  let lastAcceptWarning = 0;
  app.server.on('error', (err: NodeJS.ErrnoException) => {
    // Accept errors arrive here; listen errors reject listen() and are Fastify's.
    if (Date.now() - lastAcceptWarning > 60_000) {
      lastAcceptWarning = Date.now();
      app.log.warn({ code: err.code, syscall: err.syscall }, 'accepting a connection failed; refusing new connections until resources free up');
    }
  });
  app.server.on('connection', (socket: Socket) => {
    sockets.set(socket, { active: 0, served: 0, bytesRead: 0, quietSince: Date.now() });
    socket.once('close', () => sockets.delete(socket));
  });

  app.decorate('draining', {
    getter: () => draining,
  });
  // Callback hooks rather than async ones: these run on every request, and a promise each is
  // measurable on a small one.
  app.addHook('onRequest', (request, reply, done) => {
    inFlight.add(reply);
    const t = sockets.get(request.raw.socket);
    if (t !== undefined) {
      t.active++;
      t.served++;
    }
    reply.raw.once('close', () => {
      inFlight.delete(reply);
      if (t !== undefined) {
        t.active--;
        t.quietSince = Date.now();
        t.bytesRead = request.raw.socket?.bytesRead ?? 0;
      }
    });
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    else if (!request.raw.complete && reply.getHeader('connection') === 'close') keepSmallBodyConnection(request.raw, reply);
    done(null, payload);
  });

  app.decorate('drain', async (graceMs: number): Promise<DrainReport> => {
    const started = Date.now();
    draining = true;
    const deadline = started + graceMs;
    // The listening socket stays open while requests are in flight: closing it would reset the
    // connections still waiting in the kernel's accept queue, whose requests are already sent.
    // New connections are served (Connection: close) until the service has been quiet for
    // QUIET_MS; then it stops listening, with net.Server's own close, not http.Server's, which
    // would also close the connections it thinks idle, among them those whose request is still
    // in the kernel's receive buffer.
    let lastConnection = started;
    const onConnection = () => (lastConnection = Date.now());
    app.server.on('connection', onConnection);
    while (Date.now() < deadline) {
      const now = Date.now();
      for (const [socket, t] of sockets) {
        if (t.active > 0) continue;
        if (socket.bytesRead !== t.bytesRead) {
          t.bytesRead = socket.bytesRead;
          t.quietSince = now;
        } else if (now - t.quietSince >= (t.served === 0 ? FIRST_REQUEST_MS : QUIET_MS)) socket.destroy();
      }
      if (sockets.size === 0 && now - lastConnection >= QUIET_MS) {
        if (!app.server.listening) break;
        net.Server.prototype.close.call(app.server);
        continue; // connections accepted in the meantime are served before the drain ends
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    app.server.off('connection', onConnection);
    if (app.server.listening) net.Server.prototype.close.call(app.server);
    let cutShort = 0;
    for (const reply of inFlight) {
      if (reply.sent || reply.raw.headersSent) continue;
      cutShort++;
      reply.header('connection', 'close');
      sendError(new ServiceError('not_ready', `the service is shutting down and this request did not finish within the ${graceMs} ms grace period; retry on another instance`, { retryAfter: 1 }), reply.request, reply, opts.bodyLimit);
    }
    if (cutShort > 0) await new Promise((r) => setTimeout(r, 100));
    for (const socket of sockets.keys()) socket.destroy();
    return { cutShort, ms: Date.now() - started };
  });
}

export default fp(lifecycle, { name: 'lifecycle', fastify: '5.x' });
