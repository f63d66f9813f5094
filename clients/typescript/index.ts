// A typed client for the loss service, generated from the committed OpenAPI document:
// `schema.ts` is openapi-typescript's output (`npm run client:typescript` writes it again;
// test/clients/typescript.test.ts fails when it drifts from openapi/openapi.json), and
// openapi-fetch turns it into typed calls. Two ways to call it:
//
//   const client = createLossClient('http://127.0.0.1:3000');
//   // every route, typed: { data } or the problem+json body as { error }
//   const { data, error } = await client.POST('/loss', { body: { loss: 'mse', predictions: [1, 2], targets: [1, 3] } });
//   // a loss by name with its own inputs, typed per loss (the request's variant for that name);
//   // the answer, or a LossServiceError with the problem's fields
//   const answer = await client.loss('triplet_margin', { anchor, positive, negative, params: { margin: 1 } });
import createClient from 'openapi-fetch';
import type { components, operations, paths } from './schema.ts';

export type { components, operations, paths } from './schema.ts';

/** The POST /loss request: a union with one variant per loss (its inputs by name, its params). */
export type LossRequest = operations['computeLoss']['requestBody']['content']['application/json'];
/** Every name the request's `loss` takes: the catalog's names and aliases. */
export type LossName = LossRequest['loss'];
/** The request of one loss, without `loss`: its tensor inputs by name, params, reduction, include. */
export type LossRequestOf<N extends LossName> = Omit<VariantOf<LossRequest, N>, 'loss'>;
/** The variant whose `loss` takes the name N (a variant's `loss` is its name or an alias). */
type VariantOf<R, N> = R extends { loss: infer L } ? (N extends L ? R : never) : never;
export type LossAnswer = components['schemas']['LossResponse'];
export type CheckRequest = operations['checkLoss']['requestBody']['content']['application/json'];
export type CheckAnswer = operations['checkLoss']['responses'][200]['content']['application/json'];
export type Problem = components['schemas']['Problem'];

/** The service refused a request: the problem document's fields (RFC 9457 and the catalog's). */
export class LossServiceError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly field: string | undefined;
  readonly index: number | undefined;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.status}${problem.field ? ` (${problem.field})` : ''}: ${problem.detail ?? problem.title}`);
    this.name = 'LossServiceError';
    this.status = problem.status;
    this.code = problem.code;
    this.field = problem.field;
    this.index = problem.index;
    this.problem = problem;
  }
}

export interface LossClientOptions {
  /** One of the service's API_KEYS, when it has any. */
  apiKey?: string;
  /** A fetch of your own (a proxy agent, retries, ...); default: the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export function createLossClient(baseUrl: string, options: LossClientOptions = {}) {
  const client = createClient<paths>({
    baseUrl,
    headers: options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const refused = (error: unknown, status: number): never => {
    const problem = (typeof error === 'object' && error !== null ? error : { status, title: String(error) }) as Problem;
    throw new LossServiceError({ ...problem, status: problem.status ?? status });
  };
  return Object.assign(client, {
    /** POST /loss for the loss `name` with its inputs by name: the answer, or a LossServiceError. */
    async loss<N extends LossName>(name: N, request: LossRequestOf<N>): Promise<LossAnswer> {
      const { data, error, response } = await client.POST('/loss', { body: { ...request, loss: name } as unknown as LossRequest });
      return data ?? refused(error, response.status);
    },
    /** POST /check: which convention your own outputs (`yours`) follow, for the loss `name`. */
    async check(name: LossName, request: Omit<CheckRequest, 'loss'>): Promise<CheckAnswer> {
      const { data, error, response } = await client.POST('/check', { body: { ...request, loss: name } as unknown as CheckRequest });
      return data ?? refused(error, response.status);
    },
  });
}
