// POST /check: the POST /loss body plus the user's own outputs (`yours`) and a tolerance.
import { z } from 'zod';
import { LossRequest } from '../loss/schema.ts';

const YoursNumber = z
  .union([z.number(), z.null(), z.enum(['NaN', 'Infinity', '-Infinity'])])
  .meta({ description: 'A number as your code computed it; non-finite ones as null, "NaN", "Infinity" or "-Infinity" (JSON has no NaN).' });
const YoursTensor = z.union([YoursNumber, z.array(z.unknown())]).meta({ description: 'Nested arrays of numbers (as YoursNumber), the shape of that output.' });

export const Yours = z
  .strictObject({
    value: YoursNumber.optional().meta({ description: 'Your reduced loss.' }),
    per_sample: YoursTensor.optional().meta({ description: "Your per-sample values (PyTorch's reduction='none' shape)." }),
    gradient: YoursTensor.optional().meta({ description: 'Your d value / d predictions (losses with one differentiable input), the shape of that input.' }),
    gradients: z.record(z.string(), YoursTensor).optional().meta({ description: 'Your gradients by input name (losses with several differentiable inputs).' }),
  })
  .refine((y) => y.value !== undefined || y.per_sample !== undefined || y.gradient !== undefined || y.gradients !== undefined, {
    message: 'yours needs at least one of value, per_sample, gradient, gradients',
  })
  .meta({ description: "The outputs your own code computed for these inputs: at least one." });

export const Tolerance = z
  .strictObject({
    rtol: z.number().min(0).default(1e-6),
    atol: z.number().min(0).default(1e-9),
  })
  .meta({ description: 'Two numbers agree when |a − b| ≤ atol + rtol·|b| (b the reference’s).' });

/** The fields /check adds to a POST /loss body. */
export const CHECK_FIELDS = ['yours', 'tolerance'] as const;

/** The /check body, parsed: the POST /loss request, yours, the tolerance. */
function checkRequest() {
  return (
    z
      .looseObject({
        loss: z.string().meta({ description: 'The loss you meant to implement, by any name /loss takes (mse_loss, keras.losses.BinaryCrossentropy, ...).' }),
        yours: Yours,
        tolerance: Tolerance.prefault({}),
      })
      // The rest is a POST /loss body, checked by its schema: the same refusals, naming the same fields.
      .superRefine((body, ctx) => {
        const { yours: _y, tolerance: _t, ...rest } = body;
        const parsed = LossRequest.safeParse(rest);
        if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
      })
      .transform((body) => {
        const { yours, tolerance, ...rest } = body;
        return { request: LossRequest.parse(rest), yours, tolerance };
      })
  );
}

/** Parses a /check body (the examples are parsed by it too). */
export const CheckRequest = checkRequest();
export type CheckBody = z.output<typeof CheckRequest>;

/** The body as the route documents it, with its examples (one per verdict). */
export const documentedCheckRequest = (examples: Record<string, { summary: string; value: unknown }>) =>
  // No id: inline in the operation, where @fastify/swagger turns x-examples into the media's examples.
  checkRequest().meta({
    description: 'A POST /loss body (the loss, its inputs by name, params, reduction) plus `yours` and `tolerance`.',
    'x-examples': examples,
  });

const Comparison = z
  .object({
    yours: z.number().nullable().optional(),
    reference: z.number().nullable().optional(),
    max_abs_err: z.number().nullable(),
    max_rel_err: z.number().nullable(),
    max_ulps: z.number().nullable().meta({ description: 'The largest distance in float64 units in the last place.' }),
    agrees: z.boolean(),
    first_difference: z
      .object({ index: z.number(), at: z.array(z.number()), yours: z.number().nullable(), reference: z.number().nullable(), inputs: z.record(z.string(), z.unknown()) })
      .optional()
      .meta({ description: 'The element where they differ most: flat and per-dimension index, the two numbers, the inputs there.' }),
    first_not_finite: z.object({ index: z.number(), at: z.array(z.number()), yours: z.string() }).optional().meta({ description: 'Where your numbers first stop being finite.' }),
  })
  .meta({ id: 'CheckComparison' });

const ReferenceRef = z.object({ loss: z.string(), params: z.record(z.string(), z.unknown()), reduction: z.string() });
const Explanation = z.object({ id: z.string(), params: z.record(z.string(), z.unknown()).optional(), says: z.string() });

const checkResponse = () =>
  z.object({
    verdict: z.enum(['match', 'explained', 'unexplained']).meta({ description: 'match: a reference as it is agrees; explained: with one or two hypotheses; unexplained: nothing tried agrees.' }),
    reference: ReferenceRef.meta({ description: 'The reference that agrees (for unexplained, the closest).' }),
    explanation: z.array(Explanation).meta({ description: 'The hypotheses applied to it, each with one sentence; empty for match.' }),
    also_explained_by: z.array(z.object({ reference: ReferenceRef, explanation: z.array(Explanation), tells_apart: z.string().optional() })),
    outputs: z.record(z.string(), Comparison).meta({ description: 'Each output you sent against the answer’s reference.' }),
    plain_reference: ReferenceRef.extend({ outputs: z.record(z.string(), Comparison) }).meta({ description: 'The named loss without hypotheses, and where it differs from yours.' }),
    candidates: z.array(
      z.object({ loss: z.string(), reduction: z.string(), hypotheses: z.array(z.string()), agrees: z.record(z.string(), z.boolean()), max_rel_err: z.number().nullable() }),
    ),
  });

/** The answer as the route documents it, with the service's answers to the examples. */
export const documentedCheckResponse = (examples: Record<string, { summary: string; value: unknown }>) => checkResponse().meta({ 'x-examples': examples });
