import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

/** git in `cwd`: its output lines, or bad input with git's own message. */
function git(cwd: string, args: string[]): string[] {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new InputError('NO_GIT', `--changed-since needs git: ${r.error.message}`);
  if (r.status !== 0) throw new InputError('GIT_FAILED', `--changed-since: git ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  return r.stdout.split('\n').filter(Boolean);
}

/**
 * The files a branch adds or changes since `ref` (its merge base with HEAD, as a pull request shows
 * them), uncommitted and untracked ones included: absolute paths. `near` is any path inside the
 * repository (a migration folder).
 */
export function changedFiles(near: string, ref: string): Set<string> {
  const dir = resolve(near).endsWith('.sql') ? dirname(resolve(near)) : resolve(near);
  const top = git(dir, ['rev-parse', '--show-toplevel'])[0]!;
  const base = git(top, ['merge-base', ref, 'HEAD'])[0]!;
  const changed = [...git(top, ['diff', '--name-only', '--diff-filter=AMR', base]), ...git(top, ['ls-files', '--others', '--exclude-standard'])];
  return new Set(changed.map((f) => resolve(top, f)));
}
