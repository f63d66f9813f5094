// A loss declaration as the catalog shows it: the same text the OpenAPI descriptions carry.
import { z } from 'zod';
import { exampleInputs, tensorInputs, type LossDefinition } from '../../losses/types.ts';
import { paramProperties, type ParamProperty } from '../../losses/describeParams.ts';
import { reductionsOf } from '../../validation/prepareLossTask.ts';
import { libraryNamesOf } from '../../losses/registry.ts';
import { hypothesesFor } from '../../check/checkLoss.ts';

export const CatalogParameter = z.object({
  name: z.string(),
  type: z.string(),
  default: z.unknown().optional(),
  description: z.string().optional(),
  range: z.string().optional().meta({ description: 'Allowed values, e.g. "(0, 1)", "≥ 0", "1 | 2".' }),
});

export const CatalogEntry = z
  .object({
    name: z.string(),
    aliases: z.array(z.string()),
    library_names: z
      .array(z.string())
      .meta({ description: "The loss's names in the library it follows, in every form code writes them (mse_loss, MSELoss, torch.nn.functional.mse_loss, F.mse_loss, torch.nn.MSELoss, nn.MSELoss; keras.losses.Huber, tf.keras.losses.huber, ...): requests may use any." }),
    family: z.enum(['regression', 'binary', 'multiclass', 'keras', 'sklearn']),
    summary: z.string(),
    formula: z.string(),
    reduction_rule: z.string(),
    reductions: z.array(z.string()),
    reference: z.string(),
    predictions: z.string(),
    targets: z.string(),
    per_sample: z.string(),
    parameters: z.array(CatalogParameter),
    inputs: z
      .array(z.object({ name: z.string(), differentiable: z.boolean(), description: z.string() }))
      .meta({ description: 'The tensor inputs, by the names requests give them; the answer has a gradient for each differentiable one.' }),
    example: z.record(z.string(), z.unknown()),
    check: z
      .object({
        related: z.array(z.object({ loss: z.string(), params: z.record(z.string(), z.unknown()).optional() })),
        hypotheses: z.array(z.string()),
      })
      .meta({ description: 'What POST /check tries beside this loss: its relatives in the other conventions, and the hypotheses that apply to it (the universal ones included).' }),
  })
  .meta({ id: 'CatalogEntry' });



/** Human range of a JSON schema: "(0, 1)", "≥ 0", "[0, 1] | -1", "1 | 2". */
function rangeOf(s: ParamProperty): string | undefined {
  if (s.anyOf) return s.anyOf.map(rangeOf).filter(Boolean).join(' | ') || undefined;
  if (s.enum) return s.enum.map(String).join(' | ');
  if (s.const !== undefined) return String(s.const);
  if (s.type === 'array' && s.items) {
    const inner = rangeOf(s.items);
    return inner ? `each ${inner}` : undefined;
  }
  const lo = s.exclusiveMinimum ?? s.minimum;
  const hi = s.exclusiveMaximum ?? s.maximum;
  const lb = s.exclusiveMinimum !== undefined ? '(' : '[';
  const rb = s.exclusiveMaximum !== undefined ? ')' : ']';
  if (lo !== undefined && hi !== undefined) return `${lb}${lo}, ${hi}${rb}`;
  if (lo !== undefined) return `${s.exclusiveMinimum !== undefined ? '>' : '≥'} ${lo}`;
  if (hi !== undefined) return `${s.exclusiveMaximum !== undefined ? '<' : '≤'} ${hi}`;
  return undefined;
}

function typeOf(s: ParamProperty): string {
  if (s.anyOf) return [...new Set(s.anyOf.map(typeOf))].join(' | ');
  if (s.type === 'array') {
    // An array of a union is (a | b)[], not a | b[].
    const item = typeOf(s.items ?? {});
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  if (Array.isArray(s.type)) return s.type.join(' | ');
  if (s.type) return s.type;
  if (s.enum) return [...new Set(s.enum.map((v) => typeof v))].join(' | ');
  return 'unknown';
}

export function catalogEntry(def: LossDefinition): z.infer<typeof CatalogEntry> {
  const parameters = Object.entries(paramProperties(def)).map(([name, p]) => ({
    name,
    type: typeOf(p),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.description ? { description: p.description } : {}),
    ...(rangeOf(p) ? { range: rangeOf(p) } : {}),
  }));
  return {
    name: def.name,
    aliases: [...def.aliases],
    library_names: libraryNamesOf(def),
    family: def.family,
    summary: def.docs.summary,
    formula: def.docs.formula,
    reduction_rule: def.docs.reductionRule,
    reductions: reductionsOf(def),
    reference: def.docs.reference,
    predictions: def.docs.predictions,
    targets: def.docs.targets,
    per_sample: { rows: 'one value per row: [N]', sequences: 'one value per sequence: [N] ([] unbatched)', elementwise: 'elementwise: the shape of predictions' }[def.tensors.layout],
    parameters,
    inputs: tensorInputs(def).map((i) => ({ name: i.name, differentiable: i.differentiable, description: i.description })),
    example: { loss: def.name, ...exampleInputs(def), ...(def.demo.example.params ? { params: def.demo.example.params } : {}) },
    check: { related: (def.check?.related ?? []).map((r) => ({ ...r })), hypotheses: hypothesesFor(def).map((h) => h.id) },
  };
}
