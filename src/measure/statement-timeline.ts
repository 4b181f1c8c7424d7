import type pg from 'pg';
import type { Statement, TransactionGroup } from '../migrations/types.js';
import { locksHeld, type LockWatcher } from './locks.js';
import { LOCK_NOT_AVAILABLE } from '../db/errors.js';

/** What one statement of a migration did, as measured while it ran. */
export interface StatementRun {
  statement: Statement;
  /** performance.now() times. */
  startedAt: number;
  endedAt: number;
  /** Table lock modes it took that its transaction did not hold before (for one alone: all it held). */
  locks: string[];
  /** A watched table got a new relfilenode: the statement rewrote it. */
  rewritten: boolean;
  /** How long it waited for a lock (a table's, or older transactions' end) before it could go on. */
  waitedMs: number;
  /**
   * A statement a command ran (try --command): the rows its answers counted; where its code ran it
   * in a loop, how often and for how long in all (startedAt..endedAt then spans the loop).
   */
  rows?: number;
  executions?: number;
  busyMs?: number;
}

export interface GroupRun {
  group: TransactionGroup;
  startedAt: number;
  /** After COMMIT: locks are held until here. */
  endedAt: number;
  /** The last attempt's statements. */
  statements: StatementRun[];
  /** 1, or more where the tool's retries ran it again after a lock_timeout. */
  attempts: number;
  /** The statement the server refused (on the last attempt), its message and SQLSTATE; nothing after it ran. */
  failed?: { statement: Statement; error: string; code?: string };
}

/** How the team's tool runs its migrations: retries of a transaction that gave up waiting for a lock. */
export interface RunOptions {
  /** Attempts after the first when a statement fails with lock_not_available (55P03, lock_timeout). */
  retries: number;
}

/** The first retry's pause, doubled for each next one up to RETRY_MAX_MS (pgroll's and strong_migrations' backoff, shortened). */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;
export const retryDelayMs = (retry: number) => Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (retry - 1));

export async function fileNodes(client: pg.Client, relations: number[]): Promise<Map<number, number>> {
  const { rows } = await client.query<{ oid: number; node: number }>('SELECT oid::int AS oid, relfilenode::int AS node FROM pg_class WHERE oid = ANY($1::oid[])', [relations]);
  return new Map(rows.map((r) => [r.oid, r.node]));
}

export const changed = (a: Map<number, number>, b: Map<number, number>) => [...a].some(([oid, node]) => b.has(oid) && b.get(oid) !== node);

/**
 * One attempt at a group as the team's tool runs it: a transaction group between BEGIN and COMMIT
 * (locks read exactly after each statement, so each lock is put on the statement that took it), an
 * autocommitted statement alone with its locks polled by `watcher` while it runs; lock waits are
 * polled for both. A refused statement rolls the transaction back and is returned in `failed`.
 */
async function runGroup(client: pg.Client, pid: number, watcher: LockWatcher, group: TransactionGroup, relations: number[]): Promise<Omit<GroupRun, 'attempts'>> {
  const run: Omit<GroupRun, 'attempts'> = { group, startedAt: performance.now(), endedAt: 0, statements: [] };
  let statement: Statement | undefined;
  try {
    if (group.inTransaction) await client.query('BEGIN');
    let held = new Set<string>();
    for (statement of group.statements) {
      const before = await fileNodes(client, relations);
      watcher.start(pid, relations);
      const startedAt = performance.now();
      try {
        await client.query(statement.sql);
      } finally {
        await watcher.stop();
      }
      const endedAt = performance.now();
      const now = new Set(group.inTransaction ? await locksHeld(client, relations) : watcher.seen());
      const locks = [...now].filter((m) => !held.has(m));
      held = now;
      const rewritten = changed(before, await fileNodes(client, relations));
      run.statements.push({ statement, startedAt, endedAt, locks, rewritten, waitedMs: watcher.waitedMs(startedAt, endedAt) });
    }
    if (group.inTransaction) await client.query('COMMIT');
  } catch (err) {
    if (group.inTransaction) await client.query('ROLLBACK').catch(() => undefined);
    run.failed = { statement: statement ?? group.statements[0]!, error: (err as Error).message, code: (err as { code?: string }).code };
  }
  run.endedAt = performance.now();
  return run;
}

/**
 * Run the groups in order as the team's tool would, each retried after a lock_timeout (55P03) up
 * to `options.retries` times with a doubling pause. Stops at the first group that fails for good.
 * A retried group's window starts at its first attempt: traffic held by every attempt counts.
 */
export async function runGroups(client: pg.Client, watcher: LockWatcher, groups: TransactionGroup[], relations: number[], options: RunOptions = { retries: 0 }): Promise<GroupRun[]> {
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const runs: GroupRun[] = [];
  for (const group of groups) {
    const startedAt = performance.now();
    let attempts = 1;
    let run = await runGroup(client, pid, watcher, group, relations);
    while (run.failed?.code === LOCK_NOT_AVAILABLE && attempts <= options.retries) {
      await new Promise((r) => setTimeout(r, retryDelayMs(attempts)));
      attempts += 1;
      run = await runGroup(client, pid, watcher, group, relations);
    }
    runs.push({ ...run, startedAt, attempts });
    if (run.failed) break;
  }
  return runs;
}
