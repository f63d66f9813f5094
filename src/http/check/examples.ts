// The OpenAPI document's examples of POST /check, one per verdict, each with the service's own
// answer: computed by the check itself when the app is built (a few milliseconds), so that the
// document shows what the service says, and the drift test sees any change of it.
import { decodeLossInput } from '../../validation/decodeJsonTensor.ts';
import { findLoss } from '../../losses/registry.ts';
import { computeLoss } from '../../pool/computeLoss.ts';
import { inRequestLayout } from '../../pool/taskArrays.ts';
import { ServiceError } from '../../errors/catalog.ts';
import { answerCheck } from './answerCheck.ts';
import { CHECK_FIELDS, CheckRequest } from './schema.ts';
import { resolveLossRequestNames } from '../../validation/lossRequestNames.ts';

const p = [
  [1e-15, 0.2, 0.6],
  [0.35, 0.7, 0.05],
];
const t = [
  [1, 0, 1],
  [0, 1, 0],
];
// A numpy binary cross-entropy: p clipped to [1e-12, 1 − 1e-12], averaged over every element.
const clipped = p.map((row, i) => row.map((v, j) => {
  const q = Math.min(Math.max(v, 1e-12), 1 - 1e-12);
  return -(t[i][j] * Math.log(q) + (1 - t[i][j]) * Math.log(1 - q));
}));

const requests: Record<string, { summary: string; value: Record<string, unknown> }> = {
  match: {
    summary: 'match: your mse is PyTorch’s',
    value: { loss: 'mse_loss', predictions: [2.5, 0.0, 2.0, 8.0], targets: [3.0, -0.5, 2.0, 7.0], yours: { value: 0.375, gradient: [-0.25, 0.25, 0, 0.5] } },
  },
  explained: {
    summary: 'explained: a numpy binary cross-entropy clipped at 1e-12',
    value: { loss: 'torch.nn.BCELoss', predictions: p, targets: t, yours: { value: clipped.flat().reduce((a, b) => a + b, 0) / 6, per_sample: clipped } },
  },
  unexplained: {
    summary: 'unexplained: nothing tried gives 42',
    value: { loss: 'mse', predictions: [1, 2, 3], targets: [1, 1, 1], yours: { value: 42 } },
  },
};

function answer(sent: Record<string, unknown>): unknown {
  // As the route takes it: names resolved first, then the schema.
  const body = { ...sent };
  resolveLossRequestNames(body, undefined, CHECK_FIELDS);
  const parsed = CheckRequest.parse(body);
  return answerCheck(parsed, (name) => (body[name] === undefined ? undefined : decodeLossInput(findLoss(parsed.request.loss)!, name, body[name])), (task) => {
    const result = computeLoss(task);
    if (result.problem !== null) throw new ServiceError(result.problem.code, result.problem.detail);
    return inRequestLayout(task, result);
  });
}

export const checkExamples = {
  requests,
  answers: Object.fromEntries(Object.entries(requests).map(([k, r]) => [k, { summary: r.summary, value: answer(r.value) }])),
};
