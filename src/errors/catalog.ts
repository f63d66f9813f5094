// The one error catalog. Every refusal the service makes is one of these kinds: REST routes
// render it as RFC 9457 problem+json, the v2 protocol routes as {"error": "..."}, both from here.

export const problemKinds = {
  bad_request: { status: 400, title: 'Bad request', description: 'The request line or headers are malformed (e.g. a URL with broken percent-encoding).' },
  invalid_body: { status: 400, title: 'Invalid request body', description: 'The body is not valid JSON or does not match the request schema.' },
  unknown_loss: { status: 400, title: 'Unknown loss', description: 'The loss name is not in the catalog (GET /losses lists them).' },
  invalid_params: { status: 400, title: 'Invalid loss parameter', description: 'A loss parameter is missing its type, out of its range, or does not fit the tensors.' },
  invalid_tensor: { status: 400, title: 'Malformed tensor', description: 'A tensor is empty, ragged, too deep, or holds something that is not a finite number.' },
  shape_mismatch: { status: 400, title: 'Shapes disagree', description: 'predictions and targets do not have the shapes the loss requires; nothing is broadcast.' },
  target_out_of_domain: { status: 400, title: 'Target outside the loss domain', description: 'A target value is outside the set or interval the loss is defined on.' },
  prediction_out_of_domain: { status: 400, title: 'Prediction outside the loss domain', description: 'A prediction is outside the interval the loss is defined on (e.g. a probability above 1).' },
  class_index_out_of_range: { status: 400, title: 'Class index out of range', description: 'A class-index target is not in [0, C) and is not ignore_index.' },
  undefined_mean: { status: 400, title: 'Mean of nothing', description: "The mean's denominator is 0 (every target ignored, or zero weights); use reduction sum." },
  bad_tensor_encoding: { status: 400, title: 'Bad binary tensor encoding', description: 'The binary body does not agree with its JSON header (sizes, datatypes, chunk lengths).' },
  unauthorized: { status: 401, title: 'Unauthorized', description: 'A valid API key is required (Authorization: Bearer <key>).' },
  not_found: { status: 404, title: 'Not found', description: 'No such route, loss or model.' },
  request_timeout: { status: 408, title: 'Request timeout', description: 'The request (its headers or its body) did not arrive within the time the service waits for it.' },
  payload_too_large: { status: 413, title: 'Payload too large', description: 'The body exceeds its byte limit, or serving it needs more memory than the whole request budget (MEMORY_BUDGET_BYTES).' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type', description: 'POST /loss takes application/json; the v2 infer route also takes application/octet-stream.' },
  result_not_finite: {
    status: 422,
    title: 'Result not finite',
    description:
      'The inputs are finite but the loss or its gradient is not: it exceeds the float64 range (e.g. exp of a margin below -709), or is infinite by definition (a CTC target that no alignment can produce, without zero_infinity).',
  },
  headers_too_large: { status: 431, title: 'Request headers too large', description: 'The request line and headers exceed the size the server reads (16 KiB).' },
  rate_limited: { status: 429, title: 'Too many requests', description: 'The client exceeded its rate limit; retry after the time in Retry-After.' },
  internal: { status: 500, title: 'Internal error', description: 'The service failed to compute the answer; the request id finds it in the logs.' },
  overloaded: { status: 503, title: 'Service overloaded', description: 'The compute queue is full, or the memory for requests is taken by requests in flight; retry after the time in Retry-After.' },
  not_ready: { status: 503, title: 'Not ready', description: 'The worker pool is not up yet, or the service is shutting down.' },
  deadline_exceeded: { status: 504, title: 'Compute deadline exceeded', description: 'The computation took longer than the configured deadline and was cancelled.' },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemCode = keyof typeof problemKinds;

export interface ProblemLocation {
  /** Dotted path of the field at fault: `predictions`, `targets`, `params.q`, `reduction`, ... */
  field?: string;
  /** Flat row-major index of the first bad element of that field. */
  index?: number;
}

/** A refusal from the catalog. `detail` is for the user: it names the field and, for tensors,
 *  the index of the first bad element; it never holds stack traces or internals. */
export class ServiceError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly field?: string;
  readonly index?: number;
  /** Seconds, for 429/503. */
  readonly retryAfter?: number;

  constructor(code: ProblemCode, detail: string, location: ProblemLocation & { retryAfter?: number } = {}) {
    super(detail);
    this.name = 'ServiceError';
    this.code = code;
    this.status = problemKinds[code].status;
    this.field = location.field;
    this.index = location.index;
    this.retryAfter = location.retryAfter;
  }
}

export const problemTypeUri = (code: ProblemCode) => `/problems/${code}`;
