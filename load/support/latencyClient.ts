// A closed-loop client that times every request with process.hrtime (microseconds, where
// autocannon reports whole milliseconds): `connections` loops over keep-alive sockets, each
// sending the next request when the previous answer has fully arrived, for `seconds`.
import { Agent, request } from 'node:http';

export interface Latencies {
  count: number;
  rps: number;
  p50us: number;
  p99us: number;
  maxUs: number;
}

export async function timedLoop(url: string, body: string | Buffer, headers: Record<string, string>, connections: number, seconds: number): Promise<Latencies> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error('load tests target 127.0.0.1 only');
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const samples: number[] = [];
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, 'content-length': String(payload.length) } }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
          samples.push(Number(process.hrtime.bigint() - start) / 1000);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  const loop = async () => {
    while (process.hrtime.bigint() < end) await one();
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { count: samples.length, rps: samples.length / elapsed, p50us: at(0.5), p99us: at(0.99), maxUs: samples[samples.length - 1] };
}
