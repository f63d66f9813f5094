// The FastAPI + uvicorn + PyTorch peer (load/fastapi_peer.py), started the fast way a Python user
// would deploy it: uvloop, httptools, 2 workers. Absent Debian packages make it a note, not an error.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export type Peer = { url: string; stop(): Promise<void> } | { skipped: string };

const PYTHON = '/usr/bin/python3';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startFastApiPeer(probeBody: string): Promise<Peer> {
  try {
    execFileSync(PYTHON, ['-c', 'import fastapi, uvicorn, uvloop, httptools, torch'], { stdio: 'ignore' });
  } catch {
    return { skipped: 'the FastAPI peer needs Debian\'s python3-fastapi python3-uvicorn python3-uvloop python3-httptools python3-torch' };
  }
  const port = await freePort();
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(PYTHON, ['-m', 'uvicorn', '--app-dir', dir, 'fastapi_peer:app', '--loop', 'uvloop', '--http', 'httptools', '--workers', '2', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  };
  // Ready when both workers can answer: a few requests through.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/loss`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: probeBody });
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  return { skipped: 'the FastAPI peer did not answer within 60 s' };
}
