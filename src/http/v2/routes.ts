// The Open Inference Protocol (KServe v2 / Triton HTTP/REST) with the binary tensor data
// extension: each loss of the catalog is a model. Errors answer {"error": "..."} from the same
// catalog as the REST routes (the root error handler picks the v2 shape for /v2 URLs).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { ServiceError } from '../../errors/catalog.ts';
import { findLoss, lossNames } from '../../losses/registry.ts';
import type { LossDefinition } from '../../losses/types.ts';
import { vectorParams } from '../../losses/describeParams.ts';
import { decodeInferRequest } from '../../validation/decodeInferRequest.ts';
import { prepareLossTask } from '../../validation/prepareLossTask.ts';
import { assertFinite } from '../../response/lossResponse.ts';
import { assertAnswerFits, encodeInferResponse } from '../../response/inferResponse.ts';
import { serviceInfo } from '../docs/plugin.ts';
import { readInferBody } from './readInferBody.ts';
import { headerInt, holdFor } from '../../transport/admissionPlugin.ts';
import { settleReservation } from '../../transport/jsonBody.ts';
import { taskOutputBytes } from '../../pool/lossTask.ts';
import type { BufferLease } from '../../pool/bufferPool.ts';
import { InferRequest, InferResponse, ModelMetadata, ServerMetadata, V2Error } from './schema.ts';

export interface V2Options {
  /** Limit for bodies with binary tensor data. */
  binaryBodyLimit: number;
  /** Limit for all-JSON bodies. */
  jsonBodyLimit: number;
}

const MODEL_VERSION = '1';
const leases = new WeakMap<object, BufferLease>();
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, V2Error]));
const ModelParams = z.object({ model: z.string().meta({ description: 'A loss name or alias (GET /losses).' }) });
const VersionedModelParams = ModelParams.extend({ version: z.string().meta({ description: `Only version ${MODEL_VERSION} exists.` }) });

function modelOf(params: { model: string; version?: string }): LossDefinition<any> {
  const def = findLoss(params.model);
  if (def === undefined) throw new ServiceError('not_found', `unknown model '${params.model}'; the models are the losses: ${lossNames.join(', ')}`, { field: 'model' });
  if (params.version !== undefined && params.version !== MODEL_VERSION) {
    throw new ServiceError('not_found', `model '${params.model}' has only version ${MODEL_VERSION}, not '${params.version}'`, { field: 'version' });
  }
  return def;
}

export function modelMetadata(def: LossDefinition<any>, name = def.name) {
  const rows = def.layout === 'rows';
  const predShape = rows ? [-1, -1] : [-1];
  const targetShape = def.targetLayout === 'same' ? predShape : [-1];
  const targetType = def.targetLayout === 'same' ? 'FP64' : 'INT64';
  return {
    name,
    versions: [MODEL_VERSION],
    platform: 'loss-service_loss',
    inputs: [
      { name: 'predictions', datatype: 'FP64', shape: predShape },
      { name: 'targets', datatype: targetType, shape: targetShape },
      ...vectorParams(def).map((v) => ({ name: v, datatype: 'FP64', shape: [-1] })),
      { name: 'parameters', datatype: 'FP64', shape: [-1] },
    ],
    outputs: [
      { name: 'value', datatype: 'FP64', shape: [1] },
      { name: 'per_sample', datatype: 'FP64', shape: rows ? [-1] : predShape },
      { name: 'gradient', datatype: 'FP64', shape: predShape },
      { name: 'parameters_gradient', datatype: 'FP64', shape: [-1] },
    ],
  };
}

const v2Routes: FastifyPluginAsyncZod<V2Options> = async (app, opts) => {
  // Every body reaches the handler as the raw stream, whatever its Content-Type: readInferBody
  // splits the JSON header from the binary chunks and enforces the limits itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.get('/v2', {
    schema: { summary: 'Server metadata', tags: ['v2'], response: { 200: ServerMetadata } },
    handler: async () => ({ name: 'loss-service', version: serviceInfo.version, extensions: ['binary_tensor_data', 'parameters'] }),
  });
  app.get('/v2/health/live', {
    schema: { summary: 'Server live: 200, empty body', tags: ['v2'] },
    handler: async (_req, reply) => reply.code(200).send(),
  });
  app.get('/v2/health/ready', {
    schema: { summary: 'Server ready: 200 once the worker pool is up, else 400 (the protocol: 4xx = false), empty body', tags: ['v2'] },
    handler: async (_req, reply) => reply.code(app.lossPool.isReady() && !app.draining ? 200 : 400).send(),
  });

  for (const prefix of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
    const versioned = prefix.includes('versions');
    const params = (versioned ? VersionedModelParams : ModelParams) as typeof VersionedModelParams;
    app.get(prefix, {
      schema: { summary: `Model metadata${versioned ? ' (a version)' : ''}`, tags: ['v2'], params, response: { 200: ModelMetadata, ...errors(404) } },
      handler: async (request) => modelMetadata(modelOf(request.params), request.params.model),
    });
    app.get(`${prefix}/ready`, {
      schema: { summary: `Model ready${versioned ? ' (a version)' : ''}: 200, or 400 before the pool is up`, tags: ['v2'], params },
      handler: async (request, reply) => {
        modelOf(request.params);
        return reply.code(app.lossPool.isReady() && !app.draining ? 200 : 400).send();
      },
    });
    app.post(`${prefix}/infer`, {
      // A request's shared buffers go back to the pool once its 200 has been sent (bufferPool.ts).
      onResponse: async (request, reply) => {
        if (reply.statusCode === 200) leases.get(request)?.release();
      },
      schema: {
        summary: `Compute a loss: the Open Inference Protocol${versioned ? ' (a version)' : ''}`,
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
        const contentLength = headerInt(request, 'Content-Length', 'bad_tensor_encoding');
        const body = await readInferBody(request.body as unknown as Readable | null, {
          headerLength: headerInt(request, 'Inference-Header-Content-Length', 'bad_tensor_encoding'),
          contentLength,
          binaryLimit: opts.binaryBodyLimit,
          jsonLimit: opts.jsonBodyLimit,
          budget: app.memoryBudget,
          hold: (r) => holdFor(request, r),
          parseInWorker: (bytes, kind, what) => app.lossPool.parseJson(bytes, kind, what),
          allocateShared: lease.allocate,
        });
        const { header } = body;
        const decoded = decodeInferRequest(def, body);
        const task = prepareLossTask({ ...decoded.parts, allocateShared: lease.allocate });
        // The body's reservation was an estimate before the header was read; now it is exact.
        if (request.memory !== null && body.chunks.length > 0) {
          const held = body.chunks.reduce((n, c) => n + c.byteLength, 0);
          settleReservation(app.memoryBudget, request.memory, held + taskOutputBytes(task), 'this request');
        }
        assertAnswerFits(decoded, task.input.predictions.length);
        const result = await app.lossPool.run(task, { allocateShared: lease.allocate });
        assertFinite(result);
        const encoded = encodeInferResponse(request.params.model, header.id, task, result, decoded);
        reply.type(encoded.contentType).headers(encoded.headers);
        return reply.send(encoded.body as never);
      },
    });
  }
};

export default v2Routes;
