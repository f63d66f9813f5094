// autocannon runs bounded in count and time, against 127.0.0.1 only; a run that answered
// anything but 2xx is an error, not a fast result.
import autocannon from 'autocannon';

export interface Run {
  requests: number;
  rps: number;
  meanMs: number;
  p50: number;
  p99: number;
}

export async function cannon(options: {
  url: string;
  body: string | Buffer;
  headers: Record<string, string>;
  connections?: number;
  duration?: number;
  amount?: number;
  timeoutSeconds?: number;
}): Promise<Run> {
  if (!options.url.startsWith('http://127.0.0.1:')) throw new Error('load tests target 127.0.0.1 only');
  const res = await autocannon({
    url: options.url,
    method: 'POST',
    headers: options.headers,
    body: options.body,
    connections: options.connections ?? 1,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 5 }),
    timeout: options.timeoutSeconds ?? 60,
  });
  if (res.non2xx > 0 || res.errors > 0 || res.timeouts > 0) {
    throw new Error(`${options.url}: ${res.non2xx} non-2xx, ${res.errors} errors, ${res.timeouts} timeouts`);
  }
  return { requests: res.requests.total, rps: res.requests.average, meanMs: res.latency.average, p50: res.latency.p50, p99: res.latency.p99 };
}
