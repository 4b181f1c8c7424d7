import { tenthsOfSecond as seconds } from '../core/format.js';
import { LOCK_MODES } from '../core/lock-modes.js';
import { maxOf } from '../core/numbers.js';
import { LOCK_NOT_AVAILABLE } from '../db/errors.js';
import { carry, growthOf, type Growth, type MemoryLimits } from '../results/growth.js';
import type { StatementVerdictWord } from '../results/verdicts.js';

/** Lock modes that conflict with the RowExclusiveLock every INSERT, UPDATE and DELETE takes. */
const WRITER_BLOCKING_LOCKS: readonly string[] = LOCK_MODES.slice(LOCK_MODES.indexOf('ShareLock'));

/** Writers wait for a table lock of this mode. */
export const blocksWriters = (mode: string | undefined): boolean => mode !== undefined && WRITER_BLOCKING_LOCKS.includes(mode);

/** One statement at one size. `key` is its `file:line`. */
export interface MeasuredStatement {
  key: string;
  kind: string;
  /** Its text: what a --command statement, which has no file to open, is. */
  sql?: string;
  ms: number;
  lock?: string;
  rewritten: boolean;
  /** Longest a simulated write was held while the statement ran. */
  heldMs?: number;
  /** Longest a simulated read was held while it ran. */
  readersHeldMs?: number;
  /** How long it waited for its lock (or for older transactions to end). */
  waitedMs?: number;
  /** A statement a tool's code ran in a loop (try --command): how often, and the rows its answers counted. */
  executions?: number;
  rows?: number;
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
  readersHeldMs?: number;
  /** The longest lock wait of its statements. */
  waitedMs?: number;
  /** More than 1 where lock_timeout ended an attempt and the tool's retries ran it again. */
  attempts?: number;
}

export interface SizeRun {
  rows: number;
  statements: MeasuredStatement[];
  groups: MeasuredGroup[];
  /** The statement the server refused on the synthetic data, and its error. */
  failed?: { key: string; error: string; code?: string; attempts?: number };
  /** The group it failed in, as measured up to the failure. */
  failedGroup?: MeasuredGroup;
  /** Where the work leaves memory on this server, for carrying the figures to the target. */
  memory?: MemoryLimits;
}

/** The largest size measured again with a long query holding each touched table from just before the migration. */
export interface BehindRun {
  run: SizeRun;
  longQueryMs: number;
}

/** A figure at the target size: measured there, or carried there from the sizes measured, as a range. */
export interface Projection {
  /** The point: fixed and growing parts fitted to the sizes (results/growth.ts). */
  ms: number;
  /** The range around it; the verdict judges the upper end. Undefined when the target was measured. */
  low?: number;
  high?: number;
  /** The sizes it was carried from; undefined when the target was measured. */
  from?: number[];
  /** One size: all of it assumed to grow, and said. */
  assumed?: boolean;
  /** The target is past where the work leaves memory (shared_buffers, maintenance_work_mem), and no size measured was. */
  pastMemory?: boolean;
}

/** What a verdict judges of a projection: its upper end. */
export const upperEnd = (p: Projection) => p.high ?? p.ms;

/**
 * `value` (measured at every size) carried to `target` rows along the growth of `driver` (the time
 * of what holds it): the driver carried by results/growth.ts (fixed and growing parts of the kind's
 * growth, a range, the memory edge), and the value scaled with it from the largest size.
 */
export function project(sizes: { rows: number; driver: number; value: number }[], target: number, growth: Growth, memory?: MemoryLimits): Projection {
  const largest = sizes.reduce((a, b) => (b.rows > a.rows ? b : a));
  if (target === largest.rows) return { ms: largest.value };
  const c = carry(
    sizes.map((s) => ({ rows: s.rows, ms: s.driver })),
    target,
    growth,
    memory,
  );
  const scale = (x: number) => (largest.driver > 0 ? (largest.value * x) / largest.driver : (largest.value * target) / largest.rows);
  return { ms: scale(c.ms), low: scale(c.low), high: scale(c.high), from: sizes.map((s) => s.rows), assumed: sizes.length < 2, pastMemory: c.pastMemory };
}

export type TryVerdict = StatementVerdictWord;
/** How a failed run is named: 40P01, PostgreSQL cancelled the migration to end a deadlock with the writers. */
export type FailedVerdict = Extract<TryVerdict, 'failed' | 'deadlocks with writers'>;
const DEADLOCK = '40P01';

export interface StatementVerdict {
  key: string;
  kind: string;
  /** Its text, where it was measured from a command (no file holds it). */
  sql?: string;
  lock?: string;
  rewritten: boolean;
  msBySize: Map<number, number>;
  /** Rows its answers counted (UPDATE 1000, ...), where a command ran it: by size. */
  rowsBySize?: Map<number, number>;
  /** How often a command's code ran it, at the largest size (a loop's batches), when more than once. */
  executions?: number;
  atTarget: Projection;
  /** Writers held while it ran, at the largest size. */
  heldMs?: number;
  /** Readers held while it ran, at the largest size. */
  readersHeldMs?: number;
  /** How long it waited for its lock behind the long query (at the largest size). */
  waitedBehindMs?: number;
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
  /** Readers held at the target size. */
  readersHeldAtTarget: Projection;
  /** Behind the long query: its wait, and traffic held at the target (the quiet run's growth plus what the wait added). */
  behind?: GroupBehind;
  verdict: TryVerdict;
}

export interface GroupBehind {
  waitedMs: number;
  heldMs: number;
  readersHeldMs: number;
  attempts: number;
  /** lock_timeout ended its last attempt: the deploy fails. */
  timedOut: boolean;
}

export interface TryVerdicts {
  target: number;
  maxBlockMs: number;
  /** The long query the largest size was measured behind, when it was. */
  longQueryMs?: number;
  statements: StatementVerdict[];
  groups: GroupVerdict[];
  /** What failed, at which size: refused on the synthetic rows, or cancelled in a deadlock with the writers. */
  failed?: { rows: number; key: string; error: string; verdict: FailedVerdict };
  /** Exit 1: a group holds writers or readers >= maxBlockMs at the target, gives up behind the long query, or a statement failed. */
  failing: boolean;
}

/** Verdicts that fail the run (exit 1). */
export const FAILING: readonly TryVerdict[] = ['blocks writers', 'blocks readers and writers', 'times out behind a long query'];

/** A time in a reason: milliseconds under a second, tenths of a second above. */
const shown = (ms: number, p: Projection) => `${ms < 1000 ? `${Math.round(ms)} ms` : seconds(ms)}${p.from ? ' (upper end, extrapolated)' : ''}`;

/** A group behind the long query: what its wait added to the quiet run's figures, carried to the target. */
function groupBehind(key: string, quiet: MeasuredGroup, behind: BehindRun | undefined, at: { held: number; readers: number }): GroupBehind | undefined {
  const failed = behind?.run.failedGroup?.key === key && behind.run.failed?.code === LOCK_NOT_AVAILABLE;
  const b = failed ? behind!.run.failedGroup : behind?.run.groups.find((g) => g.key === key);
  if (!b) return undefined;
  return {
    waitedMs: b.waitedMs ?? 0,
    heldMs: at.held + Math.max(0, (b.heldMs ?? 0) - (quiet.heldMs ?? 0)),
    readersHeldMs: at.readers + Math.max(0, (b.readersHeldMs ?? 0) - (quiet.readersHeldMs ?? 0)),
    attempts: (failed ? behind!.run.failed!.attempts : b.attempts) ?? 1,
    timedOut: failed,
  };
}

function judgeGroup(writers: number, readers: number, behind: GroupBehind | undefined, maxBlockMs: number): TryVerdict {
  if (Math.max(readers, behind?.readersHeldMs ?? 0) >= maxBlockMs) return 'blocks readers and writers';
  if (Math.max(writers, behind?.heldMs ?? 0) >= maxBlockMs) return 'blocks writers';
  return behind?.timedOut ? 'times out behind a long query' : 'ok';
}

/**
 * Each group's verdict at the target. Traffic a lock holds is carried to the target along the growth
 * of the group's lock-holding window (from the holder's start to COMMIT); writers held by the rows a
 * transaction wrote, along the whole group's; readers only by ACCESS EXCLUSIVE. What traffic waited
 * with nothing holding it is taken as measured. Behind the long query, the wait it added is added.
 */
function groupVerdicts(complete: SizeRun[], target: number, maxBlockMs: number, behind: BehindRun | undefined): GroupVerdict[] {
  const largest = complete[complete.length - 1]!;
  return largest.groups.map((g) => {
    const sizes = complete.map((r) => ({ rows: r.rows, item: r.groups.find((x) => x.key === g.key)! }));
    // The group grows as its longest statement does.
    const longest = largest.statements.filter((s) => g.statements.includes(s.key)).sort((a, b) => b.ms - a.ms)[0];
    // Traffic waits on a lock the group holds, or writers on rows it wrote, as long as it runs: that grows with the rows.
    // Without either (a concurrent build, a batch committed alone), what traffic waited is the load beside it.
    const holds = !!g.holder || (g.inTransaction && largest.statements.some((s) => g.statements.includes(s.key) && WRITES_ROWS.test(s.kind)));
    const holdsReaders = largest.statements.some((s) => g.statements.includes(s.key) && s.lock === 'AccessExclusiveLock');
    const carried = (pick: (m: MeasuredGroup) => number | undefined, grows: boolean): Projection =>
      grows
        ? project(
            sizes.map(({ rows, item }) => ({ rows, driver: item.holdMs ?? item.ms, value: pick(item) ?? 0 })),
            target,
            growthOf(longest?.kind ?? ''),
            largest.memory,
          )
        : { ms: maxOf(sizes.map(({ item }) => pick(item) ?? 0)) ?? 0 };
    const heldAtTarget = carried((m) => m.heldMs, holds);
    const readersHeldAtTarget = carried((m) => m.readersHeldMs, holdsReaders);
    const b = groupBehind(g.key, g, behind, { held: upperEnd(heldAtTarget), readers: upperEnd(readersHeldAtTarget) });
    return {
      key: g.key,
      statements: g.statements,
      inTransaction: g.inTransaction,
      holder: g.holder,
      msBySize: new Map(sizes.map(({ rows, item }) => [rows, item.ms])),
      heldBySize: new Map(sizes.map(({ rows, item }) => [rows, item.heldMs ?? 0])),
      heldAtTarget,
      readersHeldAtTarget,
      behind: b,
      verdict: judgeGroup(upperEnd(heldAtTarget), upperEnd(readersHeldAtTarget), b, maxBlockMs),
    };
  });
}

/** A statement that writes rows: in a transaction that no table lock explains, its row locks are what writers wait for until COMMIT. */
const WRITES_ROWS = /^(UPDATE|DELETE|INSERT|MERGE)\b/;

/** Why a statement carries its group's failing verdict, in words. */
function statementReason(s: { key: string; kind: string; lock?: string; waitedBehindMs?: number }, group: GroupVerdict, longQueryMs: number | undefined): string {
  const b = group.behind;
  const who = group.verdict === 'blocks readers and writers' ? 'readers and writers' : 'writers';
  if (group.verdict === 'times out behind a long query')
    return `gave up after waiting ${seconds(b!.waitedMs)} for its lock behind a ${seconds(longQueryMs!)} query (lock_timeout${b!.attempts > 1 ? `, ${b!.attempts} attempts` : ''}): traffic held at most ${Math.round(b!.heldMs)} ms, but the deploy fails unless the tool retries`;
  const quietHeld = Math.max(upperEnd(group.heldAtTarget), upperEnd(group.readersHeldAtTarget));
  if (b && s.waitedBehindMs && Math.max(b.heldMs, b.readersHeldMs) > quietHeld)
    return `waited ${seconds(s.waitedBehindMs)} behind a ${seconds(longQueryMs!)} query, everything queued behind it (${who} held ${Math.round(Math.max(b.heldMs, b.readersHeldMs))} ms); set lock_timeout (and retry)`;
  const held = shown(upperEnd(who === 'writers' ? group.heldAtTarget : group.readersHeldAtTarget), group.heldAtTarget);
  const last = group.statements[group.statements.length - 1];
  const untilCommit = group.inTransaction && last !== s.key ? `, until COMMIT after ${last}` : '';
  const holding = blocksWriters(s.lock) ? `its ${s.lock}` : WRITES_ROWS.test(s.kind) ? 'its row locks' : 'it';
  if (group.holder === s.key || !group.holder) return `${holding} held ${who} ${held}${untilCommit}`;
  return `its ${s.lock} held ${who} too, inside the transaction whose lock ${group.holder} took (${who} held ${held})`;
}

/**
 * Verdicts at the target size from the runs at each measured size, and from the largest size's run
 * behind a long query where there was one. Exit 1 (`failing`) where a group holds writers or readers
 * for --max-block or longer, gives up behind the long query, or a statement failed.
 */
export function tryVerdicts(runs: SizeRun[], target: number, maxBlockMs: number, behind?: BehindRun): TryVerdicts {
  // Behind the long query, a lock_timeout is a verdict (judged per group), not a failure.
  const failedBehind = behind?.run.failed && behind.run.failed.code !== LOCK_NOT_AVAILABLE ? behind.run : undefined;
  const failedRun = runs.find((r) => r.failed) ?? failedBehind;
  const complete = runs.filter((r) => !r.failed);
  const out: TryVerdicts = { target, maxBlockMs, longQueryMs: behind?.longQueryMs, statements: [], groups: [], failing: !!failedRun?.failed };
  if (failedRun?.failed) {
    const { key, error, code } = failedRun.failed;
    out.failed = { rows: failedRun.rows, key, error, verdict: code === DEADLOCK ? 'deadlocks with writers' : 'failed' };
  }
  if (!complete.length) return out;
  out.groups = groupVerdicts(complete, target, maxBlockMs, behind);
  const behindStatements = new Map((behind?.run.statements ?? []).map((s) => [s.key, s]));
  for (const s of complete[complete.length - 1]!.statements) {
    const sizes = complete.map((r) => ({ rows: r.rows, item: r.statements.find((x) => x.key === s.key)! }));
    const group = out.groups.find((g) => g.statements.includes(s.key))!;
    const lock = sizes.map(({ item }) => item.lock).find(Boolean);
    const waitedBehindMs = behindStatements.get(s.key)?.waitedMs;
    // In a failing group: the statements that took a lock writers wait for, the one that waited behind the long query, or the one statement alone.
    const rowsHeld = !group.holder && group.inTransaction && WRITES_ROWS.test(s.kind);
    const blames = FAILING.includes(group.verdict) && (blocksWriters(lock) || group.statements.length === 1 || (waitedBehindMs ?? 0) > 0 || rowsHeld);
    out.statements.push({
      key: s.key,
      kind: s.kind,
      sql: s.sql,
      lock,
      rewritten: sizes.some(({ item }) => item.rewritten),
      msBySize: new Map(sizes.map(({ rows, item }) => [rows, item.ms])),
      rowsBySize: s.rows === undefined ? undefined : new Map(sizes.map(({ rows, item }) => [rows, item.rows ?? 0])),
      executions: s.executions,
      atTarget: project(
        sizes.map(({ rows, item }) => ({ rows, driver: item.ms, value: item.ms })),
        target,
        growthOf(s.kind),
        complete[complete.length - 1]!.memory,
      ),
      heldMs: s.heldMs,
      readersHeldMs: s.readersHeldMs,
      waitedBehindMs,
      verdict: blames ? group.verdict : 'ok',
      reason: blames ? statementReason({ key: s.key, kind: s.kind, lock, waitedBehindMs }, group, behind?.longQueryMs) : undefined,
    });
  }
  out.failing ||= out.groups.some((g) => FAILING.includes(g.verdict));
  return out;
}
