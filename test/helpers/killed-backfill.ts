/** A backfill in a child process, killed with SIGKILL once it has committed `killAfter` batches. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StrategyName } from '../../src/engine/types.js';
import { testUrl } from './db.js';

const CHILD = fileURLToPath(new URL('./backfill-child.ts', import.meta.url));

export interface KilledRun {
  table: string;
  stateTable: string;
  strategy: StrategyName;
  batchSize: number;
  delayMs: number;
  workers: number;
  killAfter: number;
  /** Vacuum behind the walk (the engine's default: auto). */
  vacuum?: 'auto' | 'off';
}

/** Resolves with the batches it saw committed; rejects if the child ends on its own first. */
export function backfillKilledAfter(run: KilledRun): Promise<number> {
  const args = [testUrl(), run.table, run.stateTable, run.strategy, String(run.batchSize), String(run.delayMs), String(run.workers), run.vacuum ?? 'auto'];
  const child = spawn(process.execPath, ['--import=tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let batches = 0;
  return new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      batches += chunk
        .toString()
        .split('\n')
        .filter((l) => l.startsWith('batch')).length;
      if (batches >= run.killAfter && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(batches) : reject(new Error(`child ended with ${code ?? signal} before the kill`))));
  });
}
