// The JSON answer of POST /loss, written as text straight from the result's typed arrays: one
// string for a small answer, a stream of pieces for a large one.
import type { Readable } from 'node:stream';
import type { LossResult, LossTask } from '../task/lossTask.ts';
import { ServiceError } from '../errors/catalog.ts';
import { tensorInputs, type FloatArray } from '../losses/types.ts';
import { findLoss } from '../losses/registry.ts';
import { jsonTensorPieces, streamPieces } from './encodeJsonTensor.ts';
import { tensorText } from './numberText.ts';

/** Answers with more numbers than this are streamed. */
export const STREAM_NUMBERS = 131_072;

/** A result that overflowed float64, or the float32 of an answer to FP32 predictions, is refused
 *  with 422, naming where. */
export function assertResultFinite(result: LossResult): void {
  const nf = result.nonFinite;
  if (nf === null) return;
  const where = nf.index === undefined ? nf.field : `${nf.field}[${nf.index}]`;
  const detail = nf.float32
    ? `the inputs are finite but ${where} overflows float32, the answer's datatype (that of the predictions); FP64 predictions get a float64 answer`
    : `the inputs are finite but ${where} overflows float64; no finite answer exists in float64`;
  throw new ServiceError('result_not_finite', detail, {
    field: nf.field,
    index: nf.index,
  });
}

/** What the answer states besides the result: the parameters as the request gave them (parsed,
 *  defaults filled in; the task's hold weights broadcast for the kernel) and the regularization
 *  parameters' shape. */
export interface AnswerContext {
  params: unknown;
  regularizationShape: number[] | null;
}

function* lossResponsePieces(task: LossTask, result: LossResult, { params, regularizationShape }: AnswerContext, tensor: (data: FloatArray, shape: readonly number[]) => Iterable<string>) {
  // reduction none (Keras's) answers the per-sample values alone.
  let head = `{"loss":${JSON.stringify(task.loss)},"reduction":"${task.reduction}"`;
  // A vector value (scikit-learn's raw_values) as an array of the outputs.
  if (task.reduction !== 'none') head += `,"value":${result.values ? `[${result.values.join(',')}]` : result.value}`;
  if (task.reduction !== 'sum' && task.reduction !== 'none') head += `,"denominator":${result.denominator}`;
  // Every kernel computes in float64, FP32 inputs included (README: "Precision").
  yield `${head},"precision":"float64","params":${JSON.stringify(params)}`;
  if (result.perSample !== null) {
    yield ',"per_sample":';
    yield* tensor(result.perSample, task.shapes.perSample);
  }
  if (result.gradient !== null) {
    // One differentiable input: `gradient`; several: `gradients` by input name.
    const names = tensorInputs(findLoss(task.loss)!).filter((i) => i.differentiable).map((i) => i.name);
    if (names.length === 1) {
      yield ',"gradient":';
      yield* tensor(result.gradient, task.shapes.gradient);
    } else {
      for (const [k, name] of names.entries()) {
        yield `${k === 0 ? ',"gradients":{' : ','}${JSON.stringify(name)}:`;
        yield* tensor(k === 0 ? result.gradient : result.gradients[name], k === 0 ? task.shapes.gradient : (task.shapes.inputs?.[name] ?? task.shapes.gradient));
      }
      yield '}';
    }
  }
  if (result.parametersGradient !== null && regularizationShape !== null) {
    yield ',"parameters_gradient":';
    yield* tensor(result.parametersGradient, regularizationShape);
  }
  yield '}';
}

export function encodeLossResponse(task: LossTask, result: LossResult, context: AnswerContext): string | Readable {
  const numbers = (result.perSample?.length ?? 0) + (result.gradient?.length ?? 0) + (result.parametersGradient?.length ?? 0);
  if (numbers <= STREAM_NUMBERS) return [...lossResponsePieces(task, result, context, (d, s) => [tensorText(d, s)])].join('');
  return streamPieces(lossResponsePieces(task, result, context, jsonTensorPieces));
}
