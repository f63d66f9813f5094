// A typed client for the loss service, generated from the committed OpenAPI document:
// `schema.ts` is openapi-typescript's output (`npm run client:typescript` writes it again;
// test/clients/typescript.test.ts fails when it drifts from openapi/openapi.json), and
// openapi-fetch turns it into typed calls:
//
//   const client = createLossClient('http://127.0.0.1:3000');
//   const { data, error } = await client.POST('/loss', { body: { loss: 'mse', predictions: [1, 2], targets: [1, 3] } });
//   // data.value: number; error: the problem+json body (typed) when the service refused
import createClient from 'openapi-fetch';
import type { paths } from './schema.ts';

export type { components, operations, paths } from './schema.ts';

export interface LossClientOptions {
  /** One of the service's API_KEYS, when it has any. */
  apiKey?: string;
  /** A fetch of your own (a proxy agent, retries, ...); default: the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export function createLossClient(baseUrl: string, options: LossClientOptions = {}) {
  return createClient<paths>({
    baseUrl,
    headers: options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
