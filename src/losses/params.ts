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

/** Class weights: any finite numbers, zero and negative included, as in PyTorch (a mean whose
 *  weighted denominator is 0 is refused where it is computed). */
export const weightVector = (what: string) => z.array(z.number()).min(1).optional().meta({ description: what });

/** A weight that broadcasts to the predictions' shape: a number (rank 0), or an array, nested for
 *  rank > 1. */
export const broadcastWeight = (what: string) =>
  z
    .union([z.number(), z.array(z.union([z.number(), z.array(z.unknown())])).min(1)])
    .optional()
    .meta({ description: what });
