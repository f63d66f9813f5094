// An earlier commit of this repository checked out beside it (a git worktree), for the benchmarks
// that measure it against the working tree in one run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The commit's worktree (made if missing), with its dependencies: this checkout's when the
 *  lockfiles are the same, else installed with npm ci. */
export function worktreeOf(commit: string): { dir: string; sha: string; remove(): void } {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${commit}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `loss-service-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, 'package.json'))) execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, sha], { cwd: root, stdio: 'ignore' });
  if (!existsSync(join(dir, 'node_modules'))) {
    if (readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(root, 'package-lock.json'), 'utf8')) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev'], { cwd: dir, stdio: 'ignore' });
  }
  return { dir, sha, remove: () => execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' }) };
}
