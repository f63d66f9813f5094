// Configuration from the environment, validated with zod at start. A bad value stops the start
// with one line that names the variable.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Worker threads in the pool (default: one per core). */
  WORKERS: int(1, 256).default(availableParallelism()),
  /** Requests with at most this many prediction elements run inline on the main thread
   *  (load/INLINE_THRESHOLD.md has the measurement behind the default). */
  INLINE_THRESHOLD: int(0).default(2048),
  /** Largest JSON request body, in bytes (413 above it). */
  BODY_LIMIT: int(1024).default(256 * 1024 * 1024),
  /** Largest v2 body with binary tensor data, in bytes (413 above it). */
  BINARY_BODY_LIMIT: int(1024).default(1024 * 1024 * 1024),
  /** Tasks waiting for a worker before new ones are shed with 503. */
  MAX_QUEUE: int(0).default(64),
});

export type Config = z.infer<typeof configSchema>;

export interface ServiceOptions {
  logLevel: Config['LOG_LEVEL'];
  workers: number;
  inlineThreshold: number;
  bodyLimit: number;
  binaryBodyLimit: number;
  maxQueue: number;
}

export function optionsFromConfig(c: Config): ServiceOptions {
  return { logLevel: c.LOG_LEVEL, workers: c.WORKERS, inlineThreshold: c.INLINE_THRESHOLD, bodyLimit: c.BODY_LIMIT, binaryBodyLimit: c.BINARY_BODY_LIMIT, maxQueue: c.MAX_QUEUE };
}

export const defaultOptions: ServiceOptions = optionsFromConfig(configSchema.parse({}));

/** Parses `env`; on failure returns one line per bad variable, naming it. */
export function loadConfig(env: NodeJS.ProcessEnv): { ok: true; config: Config } | { ok: false; errors: string[] } {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `invalid ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`) };
}
