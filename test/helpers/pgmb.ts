/** `pgmb` as a user runs it: a process of its own, from the project root, with this run's environment. */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';

/** This run's environment (npm test's URL included), not on GitHub Actions (no annotations, no job summary), with `env` over it ('' unsets a URL). */
const environment = (env: Record<string, string>) => ({ ...process.env, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', ...env });

/** Run `pgmb ARGS` and wait for it. */
export function pgmb(args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['bin/pgmb.js', ...args], { env: environment(env), encoding: 'utf8', timeout: timeoutMs });
}

export interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  /** Its output so far. */
  output: { stdout: string; stderr: string };
  /** Resolves once its standard error has said something matching `pattern`. */
  saying(pattern: RegExp): Promise<void>;
  exited: Promise<Ended>;
}

/** Start `pgmb ARGS` in the background. */
export function pgmbInBackground(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, ['bin/pgmb.js', ...args], { env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const saying = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!pattern.test(output.stderr)) return;
        child.stderr.off('data', check);
        resolve();
      };
      child.stderr.on('data', check);
      check();
    });
  return { output, saying, exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, ...output }))) };
}
