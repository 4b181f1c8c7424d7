import { strongestLock } from '../core/lock-modes.js';
import type { GroupRun } from '../measure/statement-timeline.js';
import { statementKey } from '../migrations/index.js';
import { blocksWriters, type MeasuredGroup, type MeasuredStatement, type SizeRun } from './verdict.js';

/** Longest a simulated write was held within a time window (performance.now() ms). */
export type HeldWithin = (from: number, to: number) => number | undefined;

function measuredGroup(g: GroupRun, writersHeld: HeldWithin): MeasuredGroup {
  const holder = g.statements.find((s) => s.locks.some(blocksWriters));
  return {
    key: statementKey(g.group.statements[0]!),
    statements: g.group.statements.map(statementKey),
    inTransaction: g.group.inTransaction,
    ms: g.endedAt - g.startedAt,
    holder: holder && statementKey(holder.statement),
    holdMs: holder && g.endedAt - holder.startedAt,
    heldMs: writersHeld(g.startedAt, g.endedAt) ?? 0,
  };
}

/** Per statement and per group of one size: time, locks, rewrites and how long the writers were held. */
export function sizeRun(rows: number, runs: GroupRun[], writersHeld: HeldWithin): SizeRun {
  const statements: MeasuredStatement[] = [];
  const groups: MeasuredGroup[] = [];
  for (const g of runs) {
    for (const s of g.statements) {
      statements.push({
        key: statementKey(s.statement),
        kind: s.statement.kind,
        ms: s.endedAt - s.startedAt,
        lock: strongestLock(s.locks),
        rewritten: s.rewritten,
        heldMs: writersHeld(s.startedAt, s.endedAt) ?? 0,
      });
    }
    if (g.failed) return { rows, statements, groups, failed: { key: statementKey(g.failed.statement), error: g.failed.error, code: g.failed.code } };
    groups.push(measuredGroup(g, writersHeld));
  }
  return { rows, statements, groups };
}
