import { LOCK_MODES } from '../core/lock-modes.js';
import { logLogSlope } from '../results/stats.js';
import type { StatementVerdictWord } from '../results/verdicts.js';

/** Lock modes that conflict with the RowExclusiveLock every INSERT, UPDATE and DELETE takes. */
const WRITER_BLOCKING_LOCKS: readonly string[] = LOCK_MODES.slice(LOCK_MODES.indexOf('ShareLock'));

/** Writers wait for a table lock of this mode. */
export const blocksWriters = (mode: string | undefined): boolean => mode !== undefined && WRITER_BLOCKING_LOCKS.includes(mode);

/** One statement at one size. `key` is its `file:line`. */
export interface MeasuredStatement {
  key: string;
  kind: string;
  ms: number;
  lock?: string;
  rewritten: boolean;
  /** Longest a simulated write was held while the statement ran. */
  heldMs?: number;
}

/** One transaction group (or autocommitted statement) at one size. */
export interface MeasuredGroup {
  key: string;
  statements: string[];
  inTransaction: boolean;
  ms: number;
  /** The first statement that took a lock writers wait for: held from its start until COMMIT. */
  holder?: string;
  holdMs?: number;
  /** Longest a simulated write was held while the group ran (its COMMIT included). */
  heldMs?: number;
}

export interface SizeRun {
  rows: number;
  statements: MeasuredStatement[];
  groups: MeasuredGroup[];
  /** The statement the server refused on the synthetic data, and its error. */
  failed?: { key: string; error: string; code?: string };
}

/** A figure at the target size: measured there, or extrapolated from the sizes measured. */
export interface Projection {
  ms: number;
  /** The sizes it was extrapolated from; undefined when the target was measured. */
  from?: number[];
  /** Growth exponent used (ms ~ rows^slope); assumed 1 from a single size. */
  slope?: number;
  assumed?: boolean;
}

/**
 * `value` (measured at the largest size) carried to `target` rows along the growth of `driver`
 * (measured at every size): value * (target / largest)^slope, with slope the log-log fit of the
 * driver over the sizes. One size gives no slope: linear growth is assumed, and said.
 */
export function project(sizes: { rows: number; driver: number; value: number }[], target: number): Projection {
  const largest = sizes.reduce((a, b) => (b.rows > a.rows ? b : a));
  if (target === largest.rows) return { ms: largest.value };
  const fitted = logLogSlope(sizes.map((s) => [s.rows, s.driver] as const));
  const slope = fitted === undefined ? 1 : Math.max(0, fitted);
  return { ms: largest.value * (target / largest.rows) ** slope, from: sizes.map((s) => s.rows), slope, assumed: fitted === undefined };
}

export type TryVerdict = StatementVerdictWord;
/** How a failed run is named: 40P01, PostgreSQL cancelled the migration to end a deadlock with the writers. */
export type FailedVerdict = Extract<TryVerdict, 'failed' | 'deadlocks with writers'>;
const DEADLOCK = '40P01';

export interface StatementVerdict {
  key: string;
  kind: string;
  lock?: string;
  rewritten: boolean;
  msBySize: Map<number, number>;
  atTarget: Projection;
  /** Writers held while it ran, at the largest size. */
  heldMs?: number;
  verdict: TryVerdict;
  /** Why, in words: which lock held writers, until when. */
  reason?: string;
}

export interface GroupVerdict {
  key: string;
  statements: string[];
  inTransaction: boolean;
  holder?: string;
  msBySize: Map<number, number>;
  heldBySize: Map<number, number>;
  /** Writers held at the target size. */
  heldAtTarget: Projection;
  verdict: TryVerdict;
}

export interface TryVerdicts {
  target: number;
  maxBlockMs: number;
  statements: StatementVerdict[];
  groups: GroupVerdict[];
  /** What failed, at which size: refused on the synthetic rows, or cancelled in a deadlock with the writers. */
  failed?: { rows: number; key: string; error: string; verdict: FailedVerdict };
  /** Exit 1: a group holds writers >= maxBlockMs at the target, or a statement failed. */
  failing: boolean;
}

/**
 * Verdicts at the target size from the runs at each measured size. A group holds writers for
 * as long as the simulated writes were held while it ran; carried to the target along the growth
 * of its lock-holding window (from the holder's start to COMMIT), or of the whole group when no
 * statement took a lock writers wait for (row locks of a long UPDATE hold them too).
 */
export function tryVerdicts(runs: SizeRun[], target: number, maxBlockMs: number): TryVerdicts {
  const failedRun = runs.find((r) => r.failed);
  const complete = runs.filter((r) => !r.failed);
  const out: TryVerdicts = { target, maxBlockMs, statements: [], groups: [], failing: !!failedRun };
  if (failedRun) {
    const { key, error, code } = failedRun.failed!;
    out.failed = { rows: failedRun.rows, key, error, verdict: code === DEADLOCK ? 'deadlocks with writers' : 'failed' };
  }
  if (!complete.length) return out;
  const at = (key: string, pick: (r: SizeRun) => MeasuredGroup[] | MeasuredStatement[]) => complete.map((r) => ({ rows: r.rows, item: (pick(r) as { key: string }[]).find((x) => x.key === key)! }));

  for (const g of complete[complete.length - 1]!.groups) {
    const sizes = at(g.key, (r) => r.groups) as { rows: number; item: MeasuredGroup }[];
    const heldAtTarget = project(
      sizes.map(({ rows, item }) => ({ rows, driver: item.holdMs ?? item.ms, value: item.heldMs ?? 0 })),
      target,
    );
    const verdict: TryVerdict = heldAtTarget.ms >= maxBlockMs ? 'blocks writers' : 'ok';
    out.groups.push({
      key: g.key,
      statements: g.statements,
      inTransaction: g.inTransaction,
      holder: g.holder,
      msBySize: new Map(sizes.map(({ rows, item }) => [rows, item.ms])),
      heldBySize: new Map(sizes.map(({ rows, item }) => [rows, item.heldMs ?? 0])),
      heldAtTarget,
      verdict,
    });
  }

  for (const s of complete[complete.length - 1]!.statements) {
    const sizes = at(s.key, (r) => r.statements) as { rows: number; item: MeasuredStatement }[];
    const group = out.groups.find((g) => g.statements.includes(s.key))!;
    const lock = sizes.map(({ item }) => item.lock).find(Boolean);
    const takesWriterLock = blocksWriters(lock);
    // In a group that held writers: the statements that took a lock writers wait for, or the one statement alone.
    const blames = group.verdict === 'blocks writers' && (takesWriterLock || group.statements.length === 1);
    const last = group.statements[group.statements.length - 1];
    const held = `${Math.round(group.heldAtTarget.ms)} ms${group.heldAtTarget.from ? ' (extrapolated)' : ''}`;
    const untilCommit = group.inTransaction && last !== s.key ? `, until COMMIT after ${last}` : '';
    out.statements.push({
      key: s.key,
      kind: s.kind,
      lock,
      rewritten: sizes.some(({ item }) => item.rewritten),
      msBySize: new Map(sizes.map(({ rows, item }) => [rows, item.ms])),
      atTarget: project(
        sizes.map(({ rows, item }) => ({ rows, driver: item.ms, value: item.ms })),
        target,
      ),
      heldMs: s.heldMs,
      verdict: blames ? 'blocks writers' : 'ok',
      reason: !blames
        ? undefined
        : group.holder === s.key || !group.holder
          ? `${takesWriterLock ? `its ${lock}` : 'it'} held writers ${held}${untilCommit}`
          : `its ${lock} held writers too, inside the transaction whose lock ${group.holder} took (writers held ${held})`,
    });
  }
  out.failing ||= out.groups.some((g) => g.verdict === 'blocks writers');
  return out;
}
