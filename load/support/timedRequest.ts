// One request, timed from the first byte sent to the last byte received, by a plain http client
// (autocannon parses every response byte in JavaScript, which for 40 MB answers costs more than
// the service itself: 1,068 ms against 450 ms measured on the same request).
import http from 'node:http';

export interface Timed {
  ms: number;
  status: number;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
}

export function timedRequest(url: string, body: Buffer | string, headers: Record<string, string>): Promise<Timed> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error('benchmarks target 127.0.0.1 only');
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: 120_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ms: performance.now() - start, status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out after 120 s')));
    req.on('error', reject);
    req.end(body);
  });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
