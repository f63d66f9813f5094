// What stands in front of the routes: CORS for configured origins only, a per-client rate limit,
// optional API keys, and load shedding on main-thread pressure. Health probes are never
// limited, authenticated or shed: a busy service must still say it is alive.
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { ServiceError } from '../../errors/catalog.ts';
import type { ServiceOptions } from '../../config.ts';
import { startPressureMonitor, type PressureReadings } from './pressure.ts';
import { isPublicPath, PROBES } from './publicPaths.ts';

export type ProtectionOptions = Pick<ServiceOptions, 'apiKeys' | 'rateLimitMax' | 'rateLimitWindowMs' | 'corsOrigins' | 'maxEventLoopDelayMs' | 'maxRssBytes'> & {
  /** Counts requests shed under pressure (for /metrics). */
  onShed: (reason: 'pressure' | 'rate_limit') => void;
  /** Pressure readings to use instead of this process's own (tests). */
  pressureReadings?: PressureReadings;
};

const path = (request: FastifyRequest) => request.url.split('?')[0];
export const isProbe = (request: FastifyRequest) => PROBES.has(path(request));
const isPublic = (request: FastifyRequest) => isPublicPath(path(request));

const digest = (s: string) => createHash('sha256').update(s).digest();

async function protection(app: FastifyInstance, opts: ProtectionOptions) {
  if (opts.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: opts.corsOrigins.includes('*') ? '*' : opts.corsOrigins,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['content-type', 'authorization', 'inference-header-content-length', 'x-request-id'],
      exposedHeaders: ['inference-header-content-length', 'x-request-id', 'retry-after'],
    });
  }

  if (opts.maxEventLoopDelayMs > 0 || opts.maxRssBytes > 0) {
    const monitor = startPressureMonitor({ ...opts, readings: opts.pressureReadings });
    app.addHook('onClose', async () => monitor.stop());
    app.addHook('onRequest', (request, _reply, done) => {
      const reason = monitor.reason();
      if (reason === null || isProbe(request) || path(request) === '/metrics') return done();
      opts.onShed('pressure');
      done(new ServiceError('overloaded', `the service is under pressure (${reason === 'rss' ? 'memory' : 'event loop delay'}); retry shortly`, { retryAfter: 1 }));
    });
  }

  if (opts.rateLimitMax > 0) {
    await app.register(rateLimit, {
      max: opts.rateLimitMax,
      timeWindow: opts.rateLimitWindowMs,
      allowList: (request) => isProbe(request),
      errorResponseBuilder: (_request, context) => {
        opts.onShed('rate_limit');
        return new ServiceError('rate_limited', `rate limit of ${context.max} requests per ${context.after} exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`, {
          retryAfter: Math.ceil(context.ttl / 1000),
        });
      },
    });
  }

  if (opts.apiKeys.length > 0) {
    // Keys are compared as SHA-256 digests with timingSafeEqual: equal lengths, constant time.
    const keys = opts.apiKeys.map(digest);
    app.addHook('onRequest', async (request, reply) => {
      if (isPublic(request) || request.method === 'OPTIONS') return;
      const header = request.headers.authorization;
      const given = typeof header === 'string' && header.startsWith('Bearer ') ? digest(header.slice(7).trim()) : null;
      if (given === null || !keys.some((k) => timingSafeEqual(k, given))) {
        reply.header('www-authenticate', 'Bearer');
        throw new ServiceError('unauthorized', given === null ? 'an API key is required: send Authorization: Bearer <key>' : 'the API key is not valid');
      }
    });
  }
}

export default fp(protection, { name: 'protection', fastify: '5.x' });
