// zod pieces shared by the loss parameter schemas. Every schema is strict: a misspelt parameter
// ("deltaa") is refused with a 400 instead of silently taking the default.
import { z } from 'zod';

export const noParams = z.strictObject({});

/** Label smoothing ε in [0, 1]: targets become (1 − ε)·t + ε/C. */
export const labelSmoothing = z
  .number()
  .min(0, { error: 'label_smoothing must lie in [0, 1]' })
  .max(1, { error: 'label_smoothing must lie in [0, 1]' })
  .default(0)
  .meta({ description: 'ε in [0, 1]: targets become (1 − ε)·t + ε/C.' });

/** A non-negative per-class or per-column weight vector. */
export const weightVector = (what: string) =>
  z.array(z.number().min(0, { error: 'weights must be ≥ 0' })).min(1).optional().meta({ description: what });
