import { strongestLock } from '../core/lock-modes.js';
import { maxOf } from '../core/numbers.js';
import type { GroupRun } from '../measure/statement-timeline.js';
import { statementKey } from '../migrations/index.js';
import { blocksWriters, type MeasuredGroup, type MeasuredStatement, type SizeRun } from './verdict.js';

/** Longest a simulated write (or read) was held within a time window (performance.now() ms). */
export type HeldWithin = (from: number, to: number) => number | undefined;

/** The simulated traffic's record: writers always, readers where they ran. */
export interface TrafficHeld {
  writers: HeldWithin;
  readers?: HeldWithin;
}

function measuredGroup(g: GroupRun, held: TrafficHeld): MeasuredGroup {
  const holder = g.statements.find((s) => s.locks.some(blocksWriters));
  return {
    key: statementKey(g.group.statements[0]!),
    statements: g.group.statements.map(statementKey),
    inTransaction: g.group.inTransaction,
    ms: g.endedAt - g.startedAt,
    holder: holder && statementKey(holder.statement),
    holdMs: holder && g.endedAt - holder.startedAt,
    heldMs: held.writers(g.startedAt, g.endedAt) ?? 0,
    readersHeldMs: held.readers?.(g.startedAt, g.endedAt) ?? 0,
    waitedMs: maxOf(g.statements.map((s) => s.waitedMs)) ?? 0,
    attempts: g.attempts,
  };
}

/** Per statement and per group of one size: time, locks, rewrites, lock waits and how long traffic was held. */
export function sizeRun(rows: number, runs: GroupRun[], held: TrafficHeld): SizeRun {
  const statements: MeasuredStatement[] = [];
  const groups: MeasuredGroup[] = [];
  for (const g of runs) {
    for (const s of g.statements) {
      statements.push({
        key: statementKey(s.statement),
        kind: s.statement.kind,
        sql: s.statement.captured ? s.statement.sql : undefined,
        ms: s.busyMs ?? s.endedAt - s.startedAt,
        lock: strongestLock(s.locks),
        rewritten: s.rewritten,
        heldMs: held.writers(s.startedAt, s.endedAt) ?? 0,
        readersHeldMs: held.readers?.(s.startedAt, s.endedAt) ?? 0,
        waitedMs: s.waitedMs,
        executions: s.executions,
        rows: s.rows,
      });
    }
    if (g.failed) {
      const failed = { key: statementKey(g.failed.statement), error: g.failed.error, code: g.failed.code, attempts: g.attempts };
      return { rows, statements, groups, failed, failedGroup: measuredGroup(g, held) };
    }
    groups.push(measuredGroup(g, held));
  }
  return { rows, statements, groups };
}
