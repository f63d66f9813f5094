// Configuration from the environment: one zod schema declares every variable once (its name,
// type, range, default and description). The options the app takes are the same variables in
// camelCase (MAX_QUEUE → maxQueue), derived from the schema; the README's table is generated
// from it (`npm run docs:config`, checked by test/config.test.ts). A bad value stops the start
// with one line that names the variable.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );
/** A variable's description and, where the default is not a constant, how it is chosen. */
const about = (description: string, defaultLabel?: string) => ({ description, ...(defaultLabel === undefined ? {} : { defaultLabel }) });

export const configSchema = z.object({
  PORT: int(0, 65535).default(3000).meta(about('TCP port to listen on (0: any free port).')),
  HOST: z.string().min(1).default('127.0.0.1').meta(about('Address to listen on (0.0.0.0 in the Docker image).')),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .meta(about('pino JSON logs; every request line has `request_id` (an incoming X-Request-Id is kept and echoed).')),
  WORKERS: int(1, 256).default(availableParallelism()).meta(about('Worker threads in the pool.', 'one per core')),
  WORKER_NICE: int(0, 19)
    .default(10)
    .meta(about("CPU priority of the worker threads below the main thread's (Linux), so that parsing and answering small requests is not starved by large computations (0: off).")),
  INLINE_THRESHOLD: int(0)
    .default(2048)
    .meta(about('Requests with at most this many prediction elements compute on the main thread (`load/INLINE_THRESHOLD.md`).')),
  BODY_LIMIT: int(1024).default(256 * 1024 * 1024).meta(about('Largest JSON body, and largest JSON header of a v2 binary body, in bytes (413 above it).')),
  BINARY_BODY_LIMIT: int(1024).default(1024 * 1024 * 1024).meta(about('Largest v2 body with binary tensor data, in bytes (413 above it).')),
  MAX_QUEUE: int(0).default(64).meta(about('Tasks waiting for a worker before new ones are shed with 503 and Retry-After.')),
  REQUEST_DEADLINE_MS: int(0)
    .default(30_000)
    .meta(about('Compute deadline per request: past it 504, and the worker running it is stopped and replaced (0: none).')),
  API_KEYS: list
    .default([])
    .meta(about('Comma-separated API keys; when set, every route but the health probes and the docs needs `Authorization: Bearer <key>` (401).', '(none)')),
  RATE_LIMIT_MAX: int(0).default(0).meta(about('Requests per client IP and window before 429 (0: no rate limit).')),
  RATE_LIMIT_WINDOW_MS: int(1).default(60_000).meta(about('The rate limit window.')),
  CORS_ORIGINS: list.default([]).meta(about('Comma-separated origins allowed by CORS, or `*` (empty: no CORS headers).', '(none)')),
  MAX_EVENT_LOOP_DELAY_MS: int(0).default(1000).meta(about('Shed with 503 when the main event loop lags more than this (0: off).')),
  MAX_RSS_BYTES: int(0).default(0).meta(about('Shed with 503 when the process RSS exceeds this (0: off).')),
  MEMORY_BUDGET_BYTES: int(0)
    .default(0)
    .meta(about('Bytes held for requests at once (bodies, tensors, outputs); see "Memory, connections and shutdown".', '0: half the memory limit (the cgroup\'s, else the machine\'s)')),
  MAX_CONNECTIONS: int(0).default(0).meta(about('Open connections at most; past it new ones are refused at once.', '0: the open-files limit less 128')),
  SHUTDOWN_GRACE_SECONDS: int(1).default(25).meta(about('On SIGTERM, time to answer the requests in flight before exiting anyway.')),
});

export type Config = z.infer<typeof configSchema>;

/** MAX_EVENT_LOOP_DELAY_MS → maxEventLoopDelayMs, in the type system and at run time. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${Capitalize<Camel<Tail>>}` : Lowercase<S>;
const camel = (name: string) => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The configuration as the app takes it: every variable, camelCased. */
export type ServiceOptions = { [K in keyof Config as Camel<K & string>]: Config[K] };

export function optionsFromConfig(c: Config): ServiceOptions {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [camel(k), v])) as ServiceOptions;
}

export const defaultOptions: ServiceOptions = optionsFromConfig(configSchema.parse({}));

/** Parses `env`; on failure returns one line per bad variable, naming it. */
export function loadConfig(env: NodeJS.ProcessEnv): { ok: true; config: Config } | { ok: false; errors: string[] } {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `invalid ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`) };
}

/** The README's configuration table, from the schema. */
export function configTable(): string {
  const rows = Object.entries(configSchema.shape).map(([name, schema]) => {
    const meta = (schema.meta() ?? {}) as { description?: string; defaultLabel?: string };
    const value = (configSchema.shape as Record<string, z.ZodType>)[name].parse(undefined);
    const shown = meta.defaultLabel ?? (Array.isArray(value) ? '(none)' : String(value));
    return `| \`${name}\` | ${shown} | ${meta.description ?? ''} |`;
  });
  return ['| variable | default | |', '|---|---|---|', ...rows].join('\n');
}
