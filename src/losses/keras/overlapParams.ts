// The axis parameter of Keras's overlap losses (dice, tversky): none (the whole batch is one
// sample), one axis, or a list of adjacent axes.
import { z } from 'zod';

export const overlapAxis = z
  .union([z.number().int({ error: 'axis must be an integer, a list of integers, or null' }), z.array(z.number().int()).min(1)])
  .nullable()
  .default(null)
  .meta({ description: 'The axes summed per sample: null (the default) sums everything into one value; [1, 2] gives one value per image of [N, H, W].' });
