// A loss's parameters as JSON Schema properties, from its zod schema: the catalog shows them,
// and the v2 protocol maps vector parameters to input tensors and scalars to request parameters.
import { z } from 'zod';
import type { LossDefinition } from './types.ts';

export interface ParamProperty {
  type?: string | string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: ParamProperty[];
  items?: ParamProperty;
}

const cache = new WeakMap<LossDefinition, Record<string, ParamProperty>>();

export function paramProperties(def: LossDefinition): Record<string, ParamProperty> {
  let props = cache.get(def);
  if (props === undefined) {
    const schema = z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, ParamProperty> };
    props = schema.properties ?? {};
    cache.set(def, props);
  }
  return props;
}

/** Names of the vector parameters (weight, pos_weight): v2 inputs rather than request parameters. */
export function vectorParams(def: LossDefinition): string[] {
  return Object.entries(paramProperties(def))
    .filter(([, p]) => p.type === 'array')
    .map(([name]) => name);
}
