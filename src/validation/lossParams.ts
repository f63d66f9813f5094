// A loss's parameters from any transport (POST /loss's body goes through the request schema;
// the v2 request parameters and the plot query come here).
import { ServiceError } from '../errors/catalog.ts';
import type { LossDefinition } from '../losses/types.ts';

/** Parses `raw` with the loss's params schema; a failure is a 400 naming `params.<name>`. */
export function parseLossParams(def: LossDefinition, raw: Record<string, unknown>): unknown {
  const parsed = def.params.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  // An unrecognised key is reported on the object with the names in `keys`.
  const key = issue.path.length > 0 ? String(issue.path[0]) : (issue as { keys?: string[] }).keys?.[0];
  const field = key === undefined ? 'params' : `params.${key}`;
  throw new ServiceError('invalid_params', `${field}: ${issue.message}`, { field });
}
