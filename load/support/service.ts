// Starts the service in a child process (as `npm start` does, or through `npm start` itself) on a
// free loopback port and stops it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface RunningService {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const server = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const heapFlagScript = fileURLToPath(new URL('../../src/heapFlag.ts', import.meta.url));

export interface StartOptions {
  /** The soft and hard limit on open files of the service (`ulimit -n`). */
  openFiles?: number;
  /** Start it with `npm start` (npm, then the service it runs) instead of `node` directly; the
   *  child is npm, in a process group of its own (so that a test can signal the group, as a
   *  terminal's Ctrl-C does). */
  npmStart?: boolean;
}

/** Starts `entry` (default: the service) and waits until it answers `readyPath` (null: until it listens). */
export async function startService(env: Record<string, string> = {}, entry = server, readyPath: string | null = '/readyz', options: StartOptions = {}): Promise<RunningService> {
  const fullEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env };
  // As `npm start` does: the heap flag from the memory budget (src/heapFlag.ts).
  const heapFlag = entry === server && !options.npmStart ? execFileSync(process.execPath, [heapFlagScript], { env: fullEnv, encoding: 'utf8' }).trim() : '';
  const argv = options.npmStart ? ['npm', 'start', '--silent'] : [process.execPath, ...(heapFlag ? [heapFlag] : []), entry];
  // bash sets the limit, then exec replaces it with node: the child's pid is the service's.
  const [command, ...args] = options.openFiles === undefined ? argv : ['bash', '-c', `ulimit -n ${options.openFiles} && exec "$@"`, 'bash', ...argv];
  const child = spawn(command, args, {
    cwd: root,
    env: fullEnv,
    stdio: ['ignore', process.env.SERVICE_STDOUT === 'inherit' ? 'inherit' : 'ignore', 'inherit'],
    detached: options.npmStart === true,
  });
  // LOG_LEVEL=warn hides pino's "listening" line, so ask the OS which port the child bound.
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('service did not start within 15 s')), 15_000);
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
    const poll = setInterval(async () => {
      const port = await listeningPort(child.pid!);
      if (port === null) return;
      try {
        const res = readyPath === null ? { ok: true } : await fetch(`http://127.0.0.1:${port}${readyPath}`);
        if (res.ok) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        }
      } catch {
        /* not yet */
      }
    }, 100);
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      // npm start: the whole group, so that the service goes too even if npm died first.
      if (options.npmStart) process.kill(-child.pid!, 'SIGTERM');
      else child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Peak and current resident set size of a process, in bytes (VmHWM, VmRSS from /proc). */
export async function memoryOf(pid: number): Promise<{ peak: number; current: number }> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kb('VmHWM'), current: kb('VmRSS') };
}

/** A process and its descendants (Linux /proc). */
async function processTree(pid: number): Promise<number[]> {
  const { readFile, readdir } = await import('node:fs/promises');
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const tasks = await readdir(`/proc/${tree[i]}/task`).catch(() => []);
    for (const task of tasks) {
      const children = await readFile(`/proc/${tree[i]}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of children.split(' ')) if (child.trim() !== '') tree.push(Number(child));
    }
  }
  return tree;
}

/** The TCP port a process, or one of its descendants, listens on, from /proc (Linux). */
async function listeningPort(pid: number): Promise<number | null> {
  const { readFile, readdir, readlink } = await import('node:fs/promises');
  const inodes = new Set<string>();
  for (const p of await processTree(pid)) {
    const fds = await readdir(`/proc/${p}/fd`).catch(() => []);
    const links = await Promise.all(fds.map((fd) => readlink(`/proc/${p}/fd/${fd}`).catch(() => '')));
    for (const l of links) if (l.startsWith('socket:[')) inodes.add(l.slice(8, -1));
  }
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) return parseInt(f[1].split(':')[1], 16);
    }
  }
  return null;
}

/** Starts a health prober in its own process (load/support/prober.ts); `stop()` returns its
 *  latencies in ms (-1 for a failed probe). */
export function startProber(url: string, everyMs = 20): { stop(): Promise<number[]> } {
  const script = fileURLToPath(new URL('./prober.ts', import.meta.url));
  const child = spawn(process.execPath, [script, url, String(everyMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  return {
    async stop() {
      child.stdin!.end();
      await once(child, 'exit');
      return JSON.parse(out) as number[];
    },
  };
}
