// POST /loss: the request is a union over the catalog, discriminated by `loss`, so that each
// loss's parameters, defaults, ranges and reductions are checked by zod and shown in OpenAPI.
import { z } from 'zod';
import { losses } from '../../losses/registry.ts';
import { tensorInputs, type LossDefinition } from '../../losses/types.ts';
import { reductionsOf } from '../../validation/prepareLossTask.ts';
import { lossExamples } from './examples.ts';
import { JsonLabels, JsonTensor } from '../schemas.ts';
import { RegularizationWeights } from '../../validation/regularizationWeights.ts';

export const Include = z
  .array(z.enum(['per_sample', 'gradient']))
  .default([])
  .meta({ description: 'Extra outputs: per_sample (the unreduced loss) and gradient (d value / d each differentiable input, of its shape).' });

export const RegularizationRequest = RegularizationWeights.extend({
  parameters: JsonTensor.meta({ description: 'The model parameters w (any shape).' }),
})
  .meta({ id: 'Regularization', description: 'Structural risk added to the value: λ1·Σ|w| + λ2·Σw²; the response then carries parameters_gradient = λ1·sign(w) + 2λ2·w.' });

export function requestVariant(def: LossDefinition) {
  const [first, ...rest] = reductionsOf(def);
  const tensors = Object.fromEntries(
    tensorInputs(def).map((input) => {
      const tensor = (input.labels ? JsonLabels : JsonTensor).meta({ description: `${def.name} ${input.name}: ${input.description}.` });
      return [input.name, input.optional ? tensor.optional() : tensor];
    }),
  );
  return z
    .strictObject({
      loss: z.enum([def.name, ...def.aliases]),
      ...tensors,
      params: (def.params as z.ZodObject).prefault({}),
      reduction: z.enum([first, ...rest]).default(first).meta({ description: def.docs.reductionRule }),
      include: Include,
      regularization: RegularizationRequest.optional(),
    })
    .meta({ title: def.name, description: `${def.docs.summary} ${def.docs.formula}` });
}

const variants = losses.map(requestVariant);

export const LossRequest = z
  .discriminatedUnion('loss', variants as unknown as [(typeof variants)[number], ...(typeof variants)[number][]], {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      // Names are resolved before the schema (validation/lossRequestNames.ts); a body that is no
      // object at all ends here.
      return 'loss is required: a loss name from GET /losses';
    },
  })
  // One named example per loss: Swagger UI offers them in a list, each ready to execute.
  .meta({ 'x-examples': lossExamples.requests });

export const LossResponse = z
  .object({
    loss: z.string().meta({ description: 'Canonical name of the loss (aliases resolved).' }),
    reduction: z.enum(['mean', 'sum', 'batchmean', 'sum_over_batch_size', 'mean_with_sample_weight', 'none']),
    value: z
      .union([z.number(), z.array(z.number())])
      .optional()
      .meta({
        description:
          "The reduced loss, plus the regularization term when given. Absent for reduction none (Keras), which answers per_sample alone. An array, one per output, for scikit-learn's multioutput=\"raw_values\".",
      }),
    denominator: z
      .number()
      .optional()
      .meta({
        description:
          'What mean (or batchmean) divided Σ per_sample by: the number of elements or rows, Σ w_{y_i} over the targets that are not ignore_index ' +
          '(cross_entropy and nll with class indices; without weights, the count of those targets), or the first dimension (batchmean). Absent for sum.',
      }),
    precision: z.literal('float64').meta({ description: 'The arithmetic the kernels used: float64 throughout, FP32 inputs included.' }),
    params: z.record(z.string(), z.unknown()).meta({ description: 'The parameters used, defaults filled in.' }),
    per_sample: JsonTensor.optional().meta({ description: "PyTorch's reduction='none' result: shape of predictions, or [N] for row losses. Only when include has per_sample." }),
    gradient: JsonTensor.optional().meta({ description: 'd value / d predictions, shape of predictions (losses with one differentiable input). Only when include has gradient.' }),
    gradients: z
      .record(z.string(), JsonTensor)
      .optional()
      .meta({ description: 'Losses with several differentiable inputs (margin_ranking: input1, input2): d value / d input, each of its input\'s shape. Only when include has gradient.' }),
    parameters_gradient: JsonTensor.optional().meta({ description: 'd value / d regularization.parameters, when regularization is given.' }),
  })
  // Each example's answer, computed by the service (examples.ts).
  .meta({ id: 'LossResponse', 'x-examples': lossExamples.answers });

export type LossResponseBody = z.output<typeof LossResponse>;
