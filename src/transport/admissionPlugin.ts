// Where request memory is admitted: the budget (app.memoryBudget), each request's reservation
// (request.memory, given back when its answer has been sent or its connection is gone), and
// the JSON body parser of the REST routes, which reads through that budget. The v2 routes read
// their own bodies (http/v2/readInferBody.ts) through the same budget.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ServiceError } from '../errors/catalog.ts';
import { MemoryBudget, type Reservation } from './memoryBudget.ts';
import { readJsonDocument } from './jsonBody.ts';
import { decodeContentEncoding } from './contentEncoding.ts';
import type { JsonDocument } from './jsonDocument.ts';

declare module 'fastify' {
  interface FastifyInstance {
    memoryBudget: MemoryBudget;
  }
  interface FastifyRequest {
    /** The memory this request holds from the budget. */
    memory: Reservation | null;
    /** The tensors of a JSON body, decoded while it was parsed (jsonDocument.ts). */
    jsonTensors: JsonDocument['tensors'] | null;
  }
}

export interface AdmissionOptions {
  memoryBudgetBytes: number;
  /** Largest JSON body (BODY_LIMIT). */
  bodyLimit: number;
}

/** A header that must be a non-negative integer, or null when absent. */
export function headerInt(request: FastifyRequest, name: string, code: 'invalid_body' | 'bad_tensor_encoding' = 'invalid_body'): number | null {
  const v = request.headers[name.toLowerCase()];
  if (v === undefined) return null;
  const s = Array.isArray(v) ? v[0] : v;
  if (!/^\d{1,16}$/.test(s.trim())) throw new ServiceError(code, `${name} must be a non-negative integer, got ${JSON.stringify(s.slice(0, 40))}`);
  return Number(s);
}

/** Gives `reservation` to `request`: returned with its answer, or at once if it is gone. */
export function holdFor(request: FastifyRequest, reservation: Reservation): void {
  request.memory?.release();
  request.memory = reservation;
  if (request.raw.socket?.destroyed === true) reservation.release();
}

async function admission(app: FastifyInstance, opts: AdmissionOptions) {
  const budget = new MemoryBudget(opts.memoryBudgetBytes);
  app.decorate('memoryBudget', budget);
  app.decorateRequest('memory', null);
  app.decorateRequest('jsonTensors', null);
  app.addHook('onRequest', (request, reply, done) => {
    // 'close' comes when the answer is done or the connection is lost, whichever happens.
    reply.raw.once('close', () => request.memory?.release());
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    request.memory?.release();
    done();
  });

  // JSON bodies of the REST routes; text/plain goes (POST /loss takes JSON: 415, not 400).
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', async (request: FastifyRequest, payload: Readable) => {
    // A compressed body is read decompressed, its length unknown until it ends.
    const decoded = decodeContentEncoding(request.headers, payload);
    const doc = await readJsonDocument(decoded.stream, {
      kind: 'loss',
      what: 'the body',
      contentLength: decoded.encoded ? null : headerInt(request, 'Content-Length'),
      discard: decoded.abandon,
      limit: opts.bodyLimit,
      limitName: 'the JSON body limit (BODY_LIMIT)',
      budget,
      hold: (r) => holdFor(request, r),
      parseInWorker: (bytes, kind, what) => app.lossPool.parseJson(bytes, kind, what),
    });
    request.jsonTensors = doc.tensors;
    return doc.value;
  });
}

export default fp(admission, { name: 'admission', fastify: '5.x', dependencies: ['loss-pool'] });
