// Worker-thread entry: computes one task and hands its output buffers back by transfer.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { computeLoss } from './computeLoss.ts';
import { resultBuffers, type LossTask } from './lossTask.ts';

export default function runLossTask(task: LossTask) {
  const result = computeLoss(task);
  return move({
    get [transferableSymbol]() {
      return resultBuffers(result);
    },
    get [valueSymbol]() {
      return result;
    },
  } as any);
}
