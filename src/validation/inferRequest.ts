// The Open Inference Protocol's infer request (KServe v2 / Triton), as zod schemas: they validate
// the JSON header of an infer request here, and document the v2 infer route in OpenAPI.
import { z } from 'zod';

export const V2Parameters = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .meta({ description: 'Protocol parameters: name → string | number | boolean.' });

export const InferInput = z.object({
  name: z.string().meta({ description: 'predictions, targets, and where the loss takes them weight, pos_weight, and the regularization\'s parameters.' }),
  shape: z.array(z.number().int().min(0)).meta({ description: 'Row-major shape.' }),
  datatype: z.string().meta({ description: 'predictions: FP32 | FP64; targets: FP32 | FP64 | INT32 | INT64 | BOOL; weight, pos_weight, parameters: FP32 | FP64.' }),
  parameters: V2Parameters.optional().meta({ description: 'binary_data_size: the byte length of this input\'s chunk after the JSON header (binary tensor data extension).' }),
  data: z.array(z.unknown()).optional().meta({ description: 'JSON tensor data, nested or flat, row-major. Absent for binary inputs.' }),
});

export const InferRequestedOutput = z.object({
  name: z.string().meta({
    description: "value, per_sample, gradient (gradient_<input> for each differentiable input of a loss that has several, e.g. gradient_input1), parameters_gradient.",
  }),
  parameters: V2Parameters.optional().meta({ description: 'binary_data: true to receive this output as binary.' }),
});

/** The request's own parameters also take null (Keras's None: `ignore_class`, `axis`) and lists of
 *  integers (Keras's tuple `axis`), which the protocol's string | number | boolean cannot say. */
const RequestParameters = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.number())]))
  .meta({ description: 'Protocol parameters: name → string | number | boolean; for the keras.* losses also null (None) and a list of integers (a tuple axis).' });

export const InferRequest = z
  .object({
    id: z.string().optional(),
    parameters: RequestParameters.optional().meta({
      description:
        "reduction (mean | sum | batchmean for kl_div; Keras's five for keras.*), the loss's scalar parameters by their catalog names (delta, q, ignore_index, label_smoothing, ...), " +
        "the regularization's l1 and l2, and binary_data_output (true: every output binary unless it says otherwise).",
    }),
    inputs: z.array(InferInput).min(1),
    outputs: z.array(InferRequestedOutput).optional().meta({ description: 'Omitted: every output.' }),
  })
  .meta({ id: 'InferRequest' });

export type InferRequestBody = z.output<typeof InferRequest>;

