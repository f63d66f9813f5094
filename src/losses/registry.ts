// The loss catalog: every loss module, found by name or alias. The routes, the catalog endpoint,
// the OpenAPI document and the worker all read this one list.
import type { LossDefinition } from './types.ts';
import { mse } from './regression/mse.ts';
import { l1 } from './regression/l1.ts';
import { huber } from './regression/huber.ts';
import { smoothL1 } from './regression/smoothL1.ts';
import { logCosh } from './regression/logCosh.ts';
import { quantile } from './regression/quantile.ts';
import { poissonNll } from './regression/poissonNll.ts';
import { msle } from './regression/msle.ts';
import { binaryCrossEntropy } from './binary/binaryCrossEntropy.ts';
import { bceWithLogits } from './binary/bceWithLogits.ts';
import { hinge } from './binary/hinge.ts';
import { squaredHinge } from './binary/squaredHinge.ts';
import { logistic } from './binary/logistic.ts';
import { exponential } from './binary/exponential.ts';
import { zeroOne } from './binary/zeroOne.ts';
import { sigmoidFocal } from './binary/sigmoidFocal.ts';
import { crossEntropy } from './multiclass/crossEntropy.ts';
import { nll } from './multiclass/nll.ts';
import { categoricalCrossentropy } from './multiclass/categoricalCrossentropy.ts';
import { sparseCategoricalCrossentropy } from './multiclass/sparseCategoricalCrossentropy.ts';
import { klDiv } from './multiclass/klDiv.ts';
import { multiMargin } from './multiclass/multiMargin.ts';
import { categoricalHinge } from './multiclass/categoricalHinge.ts';
import { hingeEmbedding } from './binary/hingeEmbedding.ts';
import { multilabelSoftMargin } from './multiclass/multilabelSoftMargin.ts';
import { multilabelMargin } from './multiclass/multilabelMargin.ts';
import { marginRanking } from './binary/marginRanking.ts';
import { gaussianNll } from './regression/gaussianNll.ts';
import { cosineEmbedding } from './binary/cosineEmbedding.ts';
import { tripletMargin } from './multiclass/tripletMargin.ts';
import { tripletMarginWithDistance } from './multiclass/tripletMarginWithDistance.ts';

export const losses: readonly LossDefinition[] = [
  mse, l1, huber, smoothL1, logCosh, quantile, poissonNll, msle, gaussianNll,
  binaryCrossEntropy, bceWithLogits, hinge, squaredHinge, logistic, exponential, zeroOne, sigmoidFocal, hingeEmbedding, marginRanking, cosineEmbedding,
  crossEntropy, nll, categoricalCrossentropy, sparseCategoricalCrossentropy, klDiv, multiMargin, categoricalHinge, multilabelSoftMargin, multilabelMargin,
  tripletMargin, tripletMarginWithDistance,
];

const byName = new Map<string, LossDefinition>();
for (const loss of losses) {
  for (const key of [loss.name, ...loss.aliases]) {
    if (byName.has(key)) throw new Error(`loss name ${key} is declared twice`);
    byName.set(key, loss);
  }
}

/** The loss called `name` (canonical name or alias), or undefined. */
export function findLoss(name: string): LossDefinition | undefined {
  return byName.get(name);
}

/** Every accepted name, canonical names first, for error messages and the schema's enum. */
export const lossNames: readonly string[] = [...losses.map((l) => l.name), ...losses.flatMap((l) => l.aliases)];
