// The regularization's weights λ1 and λ2, declared once: POST /loss's schema extends them with
// the parameters tensor, and the v2 decoder checks its request parameters l1 and l2 with them.
import { z } from 'zod';
import { ServiceError } from '../errors/catalog.ts';

export const RegularizationWeights = z.strictObject({
  l1: z.number().min(0, { error: 'l1 must be ≥ 0' }).default(0).meta({ description: 'λ1 of λ1·Σ|w|.' }),
  l2: z.number().min(0, { error: 'l2 must be ≥ 0' }).default(0).meta({ description: 'λ2 of λ2·Σw².' }),
});

/** λ1 and λ2 as the v2 request parameters l1 and l2 give them (absent: 0). */
export function parseRegularizationWeights(given: { l1?: unknown; l2?: unknown }): { l1: number; l2: number } {
  const parsed = RegularizationWeights.safeParse(given);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0]);
  throw new ServiceError('invalid_body', `${name} must be a number ≥ 0, got ${JSON.stringify(given[name as 'l1' | 'l2'])}`, { field: `regularization.${name}` });
}
