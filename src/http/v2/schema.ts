// Open Inference Protocol (KServe v2 / Triton) bodies, as zod schemas: they validate the JSON
// header of an infer request and document every v2 route in OpenAPI.
import { z } from 'zod';
import { V2Parameters } from '../../validation/inferRequest.ts';

export { InferRequest, type InferRequestBody } from '../../validation/inferRequest.ts';

export const InferResponseOutput = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  datatype: z.string(),
  parameters: V2Parameters.optional(),
  data: z.array(z.number()).optional().meta({ description: 'Flat, row-major. Absent for binary outputs (see parameters.binary_data_size).' }),
});

export const InferResponse = z
  .object({
    model_name: z.string(),
    model_version: z.string(),
    id: z.string().optional(),
    parameters: V2Parameters.optional(),
    outputs: z.array(InferResponseOutput),
  })
  .meta({ id: 'InferResponse' });

export const MetadataTensor = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) });

export const ModelMetadata = z
  .object({
    name: z.string(),
    versions: z.array(z.string()),
    platform: z.string(),
    inputs: z.array(MetadataTensor),
    outputs: z.array(MetadataTensor),
    parameters: V2Parameters.optional().meta({ description: 'What each tensor accepts beyond its declared datatype and shape (`<tensor>.accepts`), and the outputs\' datatype.' }),
  })
  .meta({ id: 'ModelMetadata' });

const TensorConfig = z.object({ name: z.string(), data_type: z.string().meta({ description: 'TYPE_FP32, TYPE_FP64, TYPE_INT64, ...' }), dims: z.array(z.number().int()) });

export const ModelConfig = z
  .object({
    name: z.string(),
    platform: z.string(),
    backend: z.string(),
    version_policy: z.object({ latest: z.object({ num_versions: z.number().int() }) }),
    max_batch_size: z.number().int().meta({ description: '0: the model has no batch dimension of its own; dims are whole shapes.' }),
    input: z.array(TensorConfig.extend({ optional: z.boolean() })),
    output: z.array(TensorConfig),
  })
  .meta({ id: 'ModelConfig', description: "Triton's model configuration (model_config.proto as JSON), as tritonclient's get_model_config reads it." });

export const ServerLive = z.object({ live: z.boolean() }).meta({ id: 'ServerLive' });
export const ServerReady = z.object({ ready: z.boolean() }).meta({ id: 'ServerReady' });
export const ModelReady = z.object({ name: z.string(), ready: z.boolean() }).meta({ id: 'ModelReady' });

export const RepositoryIndex = z
  .array(z.object({ name: z.string(), version: z.string(), state: z.enum(['READY']) }))
  .meta({ id: 'RepositoryIndex', description: "Triton's repository index: every loss is a model, always loaded." });

const StatCount = z.object({ count: z.number().int(), ns: z.number().int() });
export const ModelStatistics = z
  .object({
    model_stats: z.array(
      z.object({
        name: z.string(),
        version: z.string(),
        last_inference: z.number().int().meta({ description: 'Milliseconds since the epoch of the last infer request; 0: none yet.' }),
        inference_count: z.number().int(),
        execution_count: z.number().int(),
        inference_stats: z.object({ success: StatCount, fail: StatCount }),
      }),
    ),
  })
  .meta({ id: 'ModelStatistics', description: "Triton's statistics extension: infer requests answered since the service started, by model." });

export const ServerMetadata = z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) }).meta({ id: 'ServerMetadata' });

export const V2Error = z.object({ error: z.string() }).meta({ id: 'V2Error', description: 'The protocol\'s error body.' });
