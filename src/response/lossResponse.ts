// The JSON answer of POST /loss, written as text straight from the result's typed arrays.
import type { LossResult, LossTask } from '../pool/lossTask.ts';
import { ServiceError } from '../errors/catalog.ts';
import { findLoss } from '../losses/registry.ts';
import { perSampleShape } from '../validation/prepareLossTask.ts';
import { encodeJsonTensor } from './encodeJsonTensor.ts';

/** A result that overflowed float64 is refused with 422, naming where. */
export function assertFinite(result: LossResult): void {
  const nf = result.nonFinite;
  if (nf === null) return;
  const where = nf.index === undefined ? nf.field : `${nf.field}[${nf.index}]`;
  throw new ServiceError('result_not_finite', `the inputs are finite but ${where} overflows float64; no finite answer exists in float64`, {
    field: nf.field,
    index: nf.index,
  });
}

export function encodeLossResponse(task: LossTask, result: LossResult, regularizationShape: number[] | null): string {
  const def = findLoss(task.loss)!;
  let json = `{"loss":${JSON.stringify(task.loss)},"reduction":"${task.reduction}","value":${result.value}`;
  if (task.reduction !== 'sum') json += `,"denominator":${result.denominator}`;
  json += `,"params":${JSON.stringify(task.input.params)}`;
  if (result.perSample !== null) json += `,"per_sample":${encodeJsonTensor(result.perSample, perSampleShape(def, task.input.shape))}`;
  if (result.gradient !== null) json += `,"gradient":${encodeJsonTensor(result.gradient, task.input.shape)}`;
  if (result.parametersGradient !== null && regularizationShape !== null) {
    json += `,"parameters_gradient":${encodeJsonTensor(result.parametersGradient, regularizationShape)}`;
  }
  return `${json}}`;
}
