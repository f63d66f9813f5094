// Parameters the Keras cross-entropies share, with Keras's names and defaults.
import { z } from 'zod';

export const fromLogits = z.boolean().default(false).meta({ description: 'true: predictions are logits; false: probabilities.' });
export const kerasLabelSmoothing = z
  .number()
  .min(0, { error: 'label_smoothing must be in [0, 1]' })
  .max(1, { error: 'label_smoothing must be in [0, 1]' })
  .default(0)
  .meta({ description: 'ε in [0, 1]: binary targets become y·(1 − ε) + ε/2, categorical ones y·(1 − ε) + ε/C.' });
export const kerasAxis = z.number().int({ error: 'axis must be an integer' }).default(-1).meta({ description: 'The class axis (or, for the binary losses, the axis averaged).' });
