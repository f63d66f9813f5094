// Configuration from the environment, validated with zod at start. A bad value stops the start
// with one line that names the variable.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''));

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
  /** Nice value of the worker threads: above 0 the main thread (parsing, answering) wins the CPU
   *  over the kernels when the cores are busy (Linux). 0: the process's own priority. */
  WORKER_NICE: int(0, 19).default(10),
  /** Tasks waiting for a worker before new ones are shed with 503. */
  MAX_QUEUE: int(0).default(64),
  /** Compute deadline per request, in milliseconds: past it 504 and the worker is stopped. 0: none. */
  REQUEST_DEADLINE_MS: int(0).default(30_000),
  /** Comma-separated API keys; when set, every route but the health probes needs Authorization: Bearer <key>. */
  API_KEYS: list.default([]),
  /** Requests per client IP and window before 429. 0: no rate limit. */
  RATE_LIMIT_MAX: int(0).default(0),
  RATE_LIMIT_WINDOW_MS: int(1).default(60_000),
  /** Comma-separated origins allowed by CORS ('*' for any). Empty: no CORS headers. */
  CORS_ORIGINS: list.default([]),
  /** Shed with 503 when the main event loop lags more than this (ms). 0: off. */
  MAX_EVENT_LOOP_DELAY_MS: int(0).default(1000),
  /** Shed with 503 when the process RSS exceeds this (bytes). 0: off. */
  MAX_RSS_BYTES: int(0).default(0),
  /** Bytes the service may hold for requests (bodies, tensors, outputs, answers). 0: half the
   *  memory limit (the cgroup's, else the machine's). */
  MEMORY_BUDGET_BYTES: int(0).default(0),
  /** Open connections at most; past it new ones are refused at once. 0: the open-files limit
   *  less 128 descriptors for the process itself. */
  MAX_CONNECTIONS: int(0).default(0),
  /** Seconds SIGTERM waits for in-flight requests before the process exits anyway. */
  SHUTDOWN_GRACE_SECONDS: int(1).default(25),
});

export type Config = z.infer<typeof configSchema>;

export interface ServiceOptions {
  logLevel: Config['LOG_LEVEL'];
  workers: number;
  workerNice: number;
  inlineThreshold: number;
  bodyLimit: number;
  binaryBodyLimit: number;
  maxQueue: number;
  requestDeadlineMs: number;
  apiKeys: string[];
  rateLimitMax: number;
  rateLimitWindowMs: number;
  corsOrigins: string[];
  maxEventLoopDelayMs: number;
  maxRssBytes: number;
  memoryBudgetBytes: number;
  maxConnections: number;
}

export function optionsFromConfig(c: Config): ServiceOptions {
  return {
    logLevel: c.LOG_LEVEL,
    workers: c.WORKERS,
    workerNice: c.WORKER_NICE,
    inlineThreshold: c.INLINE_THRESHOLD,
    bodyLimit: c.BODY_LIMIT,
    binaryBodyLimit: c.BINARY_BODY_LIMIT,
    maxQueue: c.MAX_QUEUE,
    requestDeadlineMs: c.REQUEST_DEADLINE_MS,
    apiKeys: c.API_KEYS,
    rateLimitMax: c.RATE_LIMIT_MAX,
    rateLimitWindowMs: c.RATE_LIMIT_WINDOW_MS,
    corsOrigins: c.CORS_ORIGINS,
    maxEventLoopDelayMs: c.MAX_EVENT_LOOP_DELAY_MS,
    maxRssBytes: c.MAX_RSS_BYTES,
    memoryBudgetBytes: c.MEMORY_BUDGET_BYTES,
    maxConnections: c.MAX_CONNECTIONS,
  };
}

export const defaultOptions: ServiceOptions = optionsFromConfig(configSchema.parse({}));

/** Parses `env`; on failure returns one line per bad variable, naming it. */
export function loadConfig(env: NodeJS.ProcessEnv): { ok: true; config: Config } | { ok: false; errors: string[] } {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `invalid ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`) };
}
