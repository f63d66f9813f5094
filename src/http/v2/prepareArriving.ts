// A large binary infer request prepared while its body is still arriving (readInferBody hands a
// body of known length over once its JSON header is parsed), and its tensors' arrival in the
// units the pool computes by (lossPool.ts, runArriving).
import type { LossTask, TensorArrival } from '../../task/lossTask.ts';
import type { LossDefinition } from '../../losses/types.ts';
import type { BodyArrival } from '../../transport/bodyArrival.ts';
import { blockLayout } from '../../pool/computeLoss.ts';
import type { RawInferBody } from './readInferBody.ts';

/** A request prepared while its body may still be arriving (a body of known length is handed over
 *  once its JSON header is parsed). The preparation is kept when the task reads the body's chunks
 *  in place and nothing else of them (arrivingTensors): it read shapes, not data, and the pool
 *  computes the task as the tensors arrive. Otherwise, or when it refused, the request is prepared
 *  again once the body is in, since a first preparation may have read bytes that had not arrived;
 *  a body that fails says so first, as it did when every request was read whole. */
export async function prepareArriving<T extends { task: LossTask }>(def: LossDefinition, body: RawInferBody, prepare: () => T): Promise<{ prepared: T; arrival?: TensorArrival }> {
  if (body.arrival === null) return { prepared: prepare() };
  try {
    const prepared = prepare();
    const arrival = arrivingTensors(def, prepared.task, body.chunks, body.arrival);
    if (arrival !== null) return { prepared, arrival };
  } catch {
    // prepared again below, from the whole body
  }
  await body.arrival.complete;
  return { prepared: prepare() };
}

/** The task's tensors as they arrive, in its units, when the task reads the body's chunks in place
 *  and nothing else from them: every chunk is the first input's or the targets' elements, each a
 *  whole number of bytes per unit. Otherwise null, and the task is computed once the body is in.
 *  (A loss that arranges its own shapes or derives inputs reads their data while it is prepared.) */
function arrivingTensors(def: LossDefinition, task: LossTask, chunks: Uint8Array[], arrival: BodyArrival): TensorArrival | null {
  if (def.tensors.arrange !== undefined || def.checks?.derive !== undefined) return null;
  const { units } = blockLayout(def, task.input);
  const read = [task.input.predictions, task.rawTargets ?? task.input.targets];
  const ends: { offset: number; perUnit: number }[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    const inPlace = read.some((a) => a.buffer === chunk.buffer && a.byteOffset === chunk.byteOffset && a.byteLength === chunk.byteLength);
    if (!inPlace || units === 0 || chunk.byteLength % units !== 0) return null;
    ends.push({ offset, perUnit: chunk.byteLength / units });
    offset += chunk.byteLength;
  }
  return {
    until: (n) => arrival.until(Math.max(...ends.map((e) => e.offset + n * e.perUnit))),
    complete: arrival.complete,
  };
}
