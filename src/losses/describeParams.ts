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

/** Whether a property admits values of a JSON type (through nested anyOf). */
export const admits = (p: ParamProperty, type: string): boolean => p.type === type || (Array.isArray(p.type) && p.type.includes(type)) || (p.anyOf ?? []).some((q) => admits(q, type));

/** Names of the parameters that may be arrays (weight, pos_weight, a per-class alpha, a tuple
 *  axis): v2 takes them as input tensors of their name, since the protocol's request parameters
 *  are scalars (string, number or boolean). */
export function vectorParams(def: LossDefinition): string[] {
  return Object.entries(paramProperties(def))
    .filter(([, p]) => admits(p, 'array'))
    .map(([name]) => name);
}
