// The service's logger: pino JSON, built here and handed to Fastify. Secrets never reach a line:
// the request serializer logs the URL with the values of secret-looking query parameters
// replaced, and no headers; the Authorization header is redacted wherever it would appear.
import pino, { type DestinationStream, type Logger } from 'pino';
import type { FastifyRequest } from 'fastify';

const SECRET_PARAM = /^(api[_-]?key|apikey|key|token|access[_-]?token|secret|password|auth|authorization|signature|sig)$/i;

/** `/loss?api_key=abc&x=1` → `/loss?api_key=[REDACTED]&x=1`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed name is logged as it came
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

export interface LoggerOptions {
  level: string;
  /** Where lines go (default: stdout). */
  stream?: DestinationStream;
}

export function createLogger({ level, stream }: LoggerOptions): Logger {
  return pino(
    {
      level,
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization'], censor: '[REDACTED]' },
      serializers: {
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: redactUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
        err: pino.stdSerializers.err,
      },
    },
    stream,
  );
}
