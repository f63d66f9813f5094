// POST /loss in the OpenAPI document: one request per loss (Swagger UI offers them in a list) with
// the service's own answer to it, and a real problem document for each error status, computed by
// the same code as the route when the app is built (a few milliseconds), so that the document
// shows what the service says and the drift test sees any change of it.
import { losses } from '../../losses/registry.ts';
import { exampleInputs, outputsGiven, type LossDefinition } from '../../losses/types.ts';
import { ServiceError } from '../../errors/catalog.ts';
import { problemJson } from '../../errors/render.ts';
import { unsupportedMediaType } from '../../errors/toServiceError.ts';
import { decodeLossInput } from '../../validation/decodeJsonTensor.ts';
import { prepareLossTask, reductionsOf, slotTensors } from '../../validation/prepareLossTask.ts';
import { computeLoss } from '../../pool/computeLoss.ts';
import { inRequestLayout } from '../../pool/taskArrays.ts';
import { queueFull } from '../../pool/workerThreads.ts';
import { tooLargeFor } from '../../transport/readBody.ts';
import { assertResultFinite, encodeLossResponse } from '../../response/lossResponse.ts';
import { defaultOptions } from '../../config.ts';

type Example = { summary: string; value: unknown };

/** per_sample and gradient, less those the loss does not give (a median has no per-sample values). */
function includeFor(def: LossDefinition): string[] {
  const given = outputsGiven(def, def.params.parse(def.demo.example.params ?? {}));
  return [...(given.perSample ? ['per_sample'] : []), ...(given.gradient ? ['gradient'] : [])];
}

function request(def: LossDefinition): Record<string, unknown> {
  return {
    loss: def.name,
    ...exampleInputs(def),
    ...(def.demo.example.params ? { params: def.demo.example.params } : {}),
    reduction: reductionsOf(def)[0],
    include: includeFor(def),
  };
}

/** What the route answers to `body` (a well-formed request of `def`): its JSON, or its refusal. */
function answer(def: LossDefinition, body: Record<string, unknown>): unknown {
  const params = def.params.parse(body.params ?? {});
  const task = prepareLossTask({
    def,
    ...slotTensors(def, (name) => (body[name] === undefined ? undefined : decodeLossInput(def, name, body[name]))),
    params,
    reduction: (body.reduction as never) ?? reductionsOf(def)[0],
    // The route's defaults (LossRequest): no extra outputs unless include asks for them.
    wantPerSample: ((body.include as string[] | undefined) ?? []).includes('per_sample'),
    wantGradient: ((body.include as string[] | undefined) ?? []).includes('gradient'),
    regularization: null,
  });
  const result = computeLoss(task);
  if (result.problem !== null) throw new ServiceError(result.problem.code, result.problem.detail, { field: result.problem.field, index: result.problem.index });
  const laid = inRequestLayout(task, result);
  assertResultFinite(laid);
  return JSON.parse(encodeLossResponse(task, laid, { params, regularizationShape: null }) as string);
}

const requests = Object.fromEntries(losses.map((def) => [def.name, { summary: `${def.name}: ${def.docs.summary}`, value: request(def) }]));

/** The refusal `f` throws, as the problem document the route sends. */
function refusal(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    if (err instanceof ServiceError) return JSON.parse(problemJson(err, '/loss', '0b6f3c5e-6a1d-4c1b-9d3e-2f1a7c8e9b10'));
    throw err;
  }
  throw new Error('the example was not refused');
}

const exponential = losses.find((d) => d.name === 'exponential')!;
const mse = losses.find((d) => d.name === 'mse')!;

export const lossExamples = {
  requests,
  answers: Object.fromEntries(losses.map((def) => [def.name, { summary: `The answer to the ${def.name} example`, value: answer(def, requests[def.name].value) }])) as Record<string, Example>,
  problems: {
    400: { summary: 'Shapes that disagree', value: refusal(() => answer(mse, { loss: 'mse', predictions: [1, 2, 3], targets: [1, 2] })) },
    413: { summary: 'A body over BODY_LIMIT', value: refusal(() => { throw tooLargeFor(defaultOptions.bodyLimit, 'the JSON body limit (BODY_LIMIT)'); }) },
    415: { summary: 'A body that is not JSON', value: refusal(() => { throw unsupportedMediaType('text/plain'); }) },
    422: { summary: 'Finite inputs, no finite answer: exponential at a margin below −709', value: refusal(() => answer(exponential, { loss: 'exponential', predictions: [800], targets: [-1] })) },
    503: { summary: 'The compute queue is full', value: refusal(() => { throw queueFull(defaultOptions.maxQueue); }) },
  } as Record<number, Example>,
};
