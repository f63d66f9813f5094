// zod schemas shared by several routes: tensors, the problem body.
import { z } from 'zod';

/** Marks tensor schemas so that the OpenAPI generation can describe their elements. */
const TENSOR_MARK = 'x-tensor';

/** zod → JSON Schema hook: a tensor's items are numbers or (nested) arrays of numbers. */
export function describeTensors(ctx: { jsonSchema: Record<string, unknown> }) {
  const mark = ctx.jsonSchema[TENSOR_MARK];
  if (mark !== true && mark !== 'labels') return;
  delete ctx.jsonSchema[TENSOR_MARK];
  const elements = mark === 'labels' ? [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] : [{ type: 'number' }];
  ctx.jsonSchema.items = { anyOf: [...elements, { type: 'array', items: {} }] };
}

/** A JSON tensor. Its elements are checked by decodeJsonTensor (one pass that also flattens it
 *  and names the first bad element), so the schema only says what it is. */
export const JsonTensor = z.union([z.number(), z.array(z.unknown()).meta({ [TENSOR_MARK]: true })]).meta({
  description: 'A tensor as nested arrays of numbers (row-major; rank = nesting depth, 1 to 8), or a bare number for rank 0. Every dimension ≥ 0, no ragged rows.',
});

/** A tensor of class labels (scikit-learn's y_true): numbers, booleans or strings, nested as a
 *  tensor is (decodeJsonTensor keeps the strings and booleans of a label input). */
export const JsonLabels = z.array(z.unknown()).meta({
  [TENSOR_MARK]: 'labels',
  description: 'Class labels as nested arrays of numbers, booleans or strings (not strings mixed with numbers), row-major: [N] labels or an [N, L] indicator.',
});

export const Problem = z
  .object({
    type: z.string().meta({ description: 'URI reference of the problem kind (/problems/{code}).' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'What is wrong, naming the field and, for tensors, the first bad element.' }),
    instance: z.string(),
    code: z.string().meta({ description: 'Machine-readable kind, from the error catalog.' }),
    request_id: z.string(),
    field: z.string().optional().meta({ description: 'Dotted path of the field at fault: predictions, targets, params.q, ...' }),
    index: z.number().int().optional().meta({ description: 'Flat row-major index of the first bad element of `field`.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

/** Response entries for the error statuses a route can answer with; `examples` gives a real
 *  problem document for some of them. */
export function problemResponses(statuses: number[], examples: Record<number, { summary: string; value: unknown }> = {}) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: `Problem (${s})`,
        content: { 'application/problem+json': { schema: Problem, ...(examples[s] ? { examples: { [String(s)]: examples[s] } } : {}) } },
      },
    ]),
  );
}
