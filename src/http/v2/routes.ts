// The Open Inference Protocol (KServe v2 / Triton HTTP/REST) with the binary tensor data
// extension: each loss of the catalog is a model. Errors answer {"error": "..."} from the same
// catalog as the REST routes (the root error handler picks the v2 shape for /v2 URLs).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { findLoss, losses } from '../../losses/registry.ts';
import { decodeInferRequest } from '../../validation/decodeInferRequest.ts';
import { prepareLossTask } from '../../validation/prepareLossTask.ts';
import { assertResultFinite } from '../../response/lossResponse.ts';
import { assertAnswerFits, encodeInferResponse } from '../../response/inferResponse.ts';
import { StreamedInferAnswer, canStream } from '../../response/streamedInferAnswer.ts';
import type { LossResult } from '../../task/lossTask.ts';
import { serviceInfo } from '../docs/plugin.ts';
import { readInferBody } from './readInferBody.ts';
import { prepareArriving } from './prepareArriving.ts';
import { SHARED_CHUNK_BYTES } from './inferBodyFramer.ts';
import { headerInt, holdFor } from '../../transport/admissionPlugin.ts';
import { settleReservation } from '../../transport/jsonBody.ts';
import { decodeContentEncoding } from '../../transport/contentEncoding.ts';
import { taskOutputBytes } from '../../pool/taskArrays.ts';
import type { BufferLease } from '../../pool/bufferPool.ts';
import { InferRequest, InferResponse, ModelConfig, ModelMetadata, ModelReady, ModelStatistics, RepositoryIndex, ServerLive, ServerMetadata, ServerReady, V2Error } from './schema.ts';
import { MODEL_VERSION, ModelStats, modelConfig, modelMetadata, modelOf, repositoryIndex } from './models.ts';

export interface V2Options {
  /** Limit for bodies with binary tensor data. */
  binaryBodyLimit: number;
  /** Limit for all-JSON bodies. */
  jsonBodyLimit: number;
}

const leases = new WeakMap<object, BufferLease>();
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, V2Error]));
const ModelParams = z.object({ model: z.string().meta({ description: 'A loss name or alias (GET /losses).' }) });
const VersionedModelParams = ModelParams.extend({ version: z.string().meta({ description: `Only version ${MODEL_VERSION} exists.` }) });

const v2Routes: FastifyPluginAsyncZod<V2Options> = async (app, opts) => {
  // Every body reaches the handler as the raw stream, whatever its Content-Type: readInferBody
  // splits the JSON header from the binary chunks and enforces the limits itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // The protocol's JSON is application/json, without the charset parameter Fastify appends
  // (JSON is UTF-8 by definition, RFC 8259; clients compare the type exactly).
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json;')) reply.header('content-type', 'application/json');
    return payload;
  });

  const serverMetadata = async () => ({ name: 'loss-service', version: serviceInfo.version, extensions: ['binary_tensor_data', 'parameters', 'model_configuration', 'model_repository', 'statistics'] });
  for (const url of ['/v2', '/v2/']) {
    // '/v2/' is the protocol text's path, '/v2' what clients send; the document shows one.
    app.get(url, { schema: { summary: 'Server metadata', operationId: 'serverMetadata', hide: url === '/v2/', tags: ['v2'], response: { 200: ServerMetadata } }, handler: serverMetadata });
  }
  const ready = () => app.lossPool.isReady() && !app.draining;
  app.get('/v2/health/live', {
    schema: { summary: 'Server live: 200 {"live": true}', operationId: 'serverLive', tags: ['v2'], response: { 200: ServerLive } },
    handler: async () => ({ live: true }),
  });
  app.get('/v2/health/ready', {
    schema: {
      summary: 'Server ready: 200 {"ready": true} once the worker pool is up; 400 {"ready": false} before it and while shutting down (the protocol: 4xx = not ready)',
      operationId: 'serverReady',
      tags: ['v2'],
      response: { 200: ServerReady, 400: ServerReady },
    },
    handler: async (_req, reply) => reply.code(ready() ? 200 : 400).send({ ready: ready() }),
  });
  app.post('/v2/repository/index', {
    schema: { summary: 'Model repository index (Triton): every loss, READY', operationId: 'repositoryIndex', tags: ['v2'], response: { 200: RepositoryIndex } },
    handler: async () => repositoryIndex(),
  });
  const stats = new ModelStats();
  app.get('/v2/models/stats', {
    schema: { summary: 'Inference statistics of every model (Triton)', operationId: 'allModelStatistics', tags: ['v2'], response: { 200: ModelStatistics } },
    handler: async () => stats.report(losses.map((d) => d.name)),
  });

  for (const prefix of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
    const versioned = prefix.includes('versions');
    const params = (versioned ? VersionedModelParams : ModelParams) as typeof VersionedModelParams;
    const id = (name: string) => `${name}${versioned ? 'Version' : ''}`;
    app.get(prefix, {
      schema: { summary: `Model metadata${versioned ? ' (a version)' : ''}`, operationId: id('modelMetadata'), tags: ['v2'], params, response: { 200: ModelMetadata, ...errors(404) } },
      handler: async (request) => {
        const { optionalInputs: _, ...meta } = modelMetadata(modelOf(request.params), request.params.model);
        return meta;
      },
    });
    app.get(`${prefix}/ready`, {
      schema: { summary: `Model ready${versioned ? ' (a version)' : ''}: 200 {"name", "ready": true}, or 400 with ready false`, operationId: id('modelReady'), tags: ['v2'], params, response: { 200: ModelReady, 400: ModelReady, ...errors(404) } },
      handler: async (request, reply) => {
        modelOf(request.params);
        return reply.code(ready() ? 200 : 400).send({ name: request.params.model, ready: ready() });
      },
    });
    app.get(`${prefix}/config`, {
      schema: { summary: `Model configuration in Triton's JSON${versioned ? ' (a version)' : ''}`, operationId: id('modelConfig'), tags: ['v2'], params, response: { 200: ModelConfig, ...errors(404) } },
      handler: async (request) => modelConfig(modelOf(request.params), request.params.model),
    });
    app.get(`${prefix}/stats`, {
      schema: { summary: `Inference statistics of a model (Triton)${versioned ? ' (a version)' : ''}`, operationId: id('modelStatistics'), tags: ['v2'], params, response: { 200: ModelStatistics, ...errors(404) } },
      handler: async (request) => stats.report([modelOf(request.params).name]),
    });
    app.post(`${prefix}/infer`, {
      // A request's shared buffers go back to the pool once its 200 has been sent (bufferPool.ts).
      onResponse: async (request, reply) => {
        if (reply.statusCode === 200) leases.get(request)?.release();
        const model = (request.params as { model?: string }).model;
        const def = model === undefined ? undefined : findLoss(model);
        if (def !== undefined) stats.record(def.name, reply.statusCode === 200, reply.elapsedTime);
      },
      schema: {
        summary: `Compute a loss: the Open Inference Protocol${versioned ? ' (a version)' : ''}`,
        operationId: id('modelInfer'),
        description:
          'Inputs predictions and targets (plus weight, pos_weight and the regularization parameters where they apply); outputs value, per_sample, ' +
          'gradient and parameters_gradient in the datatype of predictions. Binary tensor data extension: send Inference-Header-Content-Length ' +
          'with the byte length of the JSON header, then the tensors little-endian, row-major, in input order; ask for binary outputs with ' +
          'binary_data on an output or binary_data_output in the request parameters.',
        tags: ['v2'],
        params,
        headers: z.object({ 'inference-header-content-length': z.string().optional() }).loose(),
        body: InferRequest,
        response: { 200: InferResponse, ...errors(400, 404, 413, 422, 503) },
      },
      // The body is a stream here: readInferBody validates its JSON header with InferRequest.
      // The schemas above document the route; the route's parts are checked in the handler.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      handler: async (request, reply) => {
        const def = modelOf(request.params);
        const lease = app.lossPool.buffers.lease();
        leases.set(request, lease);
        // A compressed body is read decompressed: Inference-Header-Content-Length counts the
        // decompressed header, as Triton's client sends it, and Content-Length says nothing then.
        const raw = request.body as unknown as Readable | null;
        const decoding = raw == null || typeof raw.on !== 'function' ? null : decodeContentEncoding(request.headers, raw);
        const contentLength = decoding?.encoded ? null : headerInt(request, 'Content-Length', 'bad_tensor_encoding');
        const body = await readInferBody(decoding?.stream ?? raw, {
          headerLength: headerInt(request, 'Inference-Header-Content-Length', 'bad_tensor_encoding'),
          contentLength,
          discard: decoding?.abandon,
          binaryLimit: opts.binaryBodyLimit,
          jsonLimit: opts.jsonBodyLimit,
          budget: app.memoryBudget,
          hold: (r) => holdFor(request, r),
          parseInWorker: (bytes, kind, what) => app.lossPool.parseJson(bytes, kind, what),
          allocateShared: lease.allocate,
          // Only a body that can hold a shared chunk can be computed as it arrives (splittable).
          early: contentLength !== null && contentLength >= SHARED_CHUNK_BYTES,
        });
        const { header } = body;
        const { prepared, arrival } = await prepareArriving(def, body, () => {
          const decoded = decodeInferRequest(def, body);
          const task = prepareLossTask({ ...decoded.parts, allocateShared: lease.allocate });
          // The body's reservation was an estimate before the header was read; now it is exact.
          if (request.memory !== null && body.chunks.length > 0) {
            const held = body.chunks.reduce((n, c) => n + c.byteLength, 0);
            settleReservation(app.memoryBudget, request.memory, held + taskOutputBytes(task), 'this request');
          }
          assertAnswerFits(decoded, task.input.predictions.length);
          return { decoded, task };
        });
        const { decoded, task } = prepared;
        // A large all-binary answer leaves while later blocks compute (streamedInferAnswer.ts).
        const streamed = canStream(task, decoded) ? new StreamedInferAnswer(reply, request.params.model, header.id, task, decoded) : null;
        let result: LossResult;
        try {
          result = await app.lossPool.run(task, { allocateShared: lease.allocate, progress: streamed?.progress, arrival });
          assertResultFinite(result);
        } catch (error) {
          if (streamed === null || !streamed.started) throw error;
          // The 200 has left: cut the answer short. A worker may still write into the buffers
          // (a deadline abort), so they are not reused.
          leases.delete(request);
          request.log.warn({ err: error }, 'streamed answer cut short');
          streamed.abort(error as Error);
          return reply;
        }
        if (streamed?.started) {
          streamed.finish(result);
          return reply;
        }
        const encoded = encodeInferResponse(request.params.model, header.id, task, result, decoded);
        reply.type(encoded.contentType).headers(encoded.headers);
        return reply.send(encoded.body as never);
      },
    });
  }
};

export default v2Routes;
