// Maps whatever was thrown (our refusals, Fastify's transport errors, zod validation errors,
// worker failures) onto the catalog. Anything unknown becomes `internal` with a generic detail.
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ServiceError } from './catalog.ts';

/** `/params/q` → `params.q`; `/predictions/0` → `predictions[0]`. */
function dottedPath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter((s) => s !== '')
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

export const unsupportedMediaType = (contentType: string | undefined) =>
  new ServiceError(
    'unsupported_media_type',
    `unsupported Content-Type ${JSON.stringify(contentType ?? '')}: send application/json (the v2 infer route also takes application/octet-stream)`,
  );

interface FastifyishError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: unknown;
}

export interface ErrorContext {
  bodyLimit: number;
  contentType: string | undefined;
}

const TENSOR_FIELDS = /^(predictions|targets|regularization\.parameters)\b/;

export function toServiceError(err: unknown, { bodyLimit, contentType }: ErrorContext): ServiceError {
  if (err instanceof ServiceError) return err;

  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation;
    const first = issues[0];
    // An unknown key is named with its object (params.beta), as the v2 route names it.
    const where = (i: (typeof issues)[number]) => {
      const at = dottedPath(i.instancePath);
      const key = i.keyword === 'unrecognized_keys' ? (i.params as { keys?: string[] }).keys?.[0] : undefined;
      return key === undefined ? at : at ? `${at}.${key}` : key;
    };
    const field = where(first);
    const detail = issues
      .slice(0, 3)
      .map((i) => `${where(i) || err.validationContext || 'body'}: ${i.message}`)
      .join('; ');
    const code = field === 'loss' ? 'unknown_loss' : field.startsWith('params') ? 'invalid_params' : TENSOR_FIELDS.test(field) ? 'invalid_tensor' : 'invalid_body';
    return new ServiceError(code, detail, { field: field || undefined });
  }

  const e = (typeof err === 'object' && err !== null ? err : {}) as FastifyishError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServiceError('payload_too_large', `the request body exceeds the limit of ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(contentType);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ServiceError('invalid_body', 'the body is empty; send a JSON object');
    case 'FST_ERR_BAD_URL':
      return new ServiceError('bad_request', `the URL is malformed: ${e.message ?? 'bad percent-encoding'}`);
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new ServiceError('bad_request', 'the request could not be routed');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ServiceError('invalid_body', 'the body length does not match Content-Length');
  }
  if (err instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new ServiceError('invalid_body', `the body is not valid JSON: ${e.message}`);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own client errors (prototype poisoning, bad headers, ...): their messages name no internals.
    if (e.statusCode === 413) return new ServiceError('payload_too_large', `the request body exceeds the limit of ${bodyLimit} bytes`);
    if (e.statusCode === 415) return unsupportedMediaType(contentType);
    if (e.statusCode === 404) return new ServiceError('not_found', e.message ?? 'not found');
    return new ServiceError('invalid_body', e.message ?? 'bad request');
  }
  return new ServiceError('internal', 'the service failed to compute this request; the request id finds it in the logs');
}
