import type pg from 'pg';
import type { Statement, TransactionGroup } from '../migrations/types.js';
import { locksHeld, type LockWatcher } from './locks.js';

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
}

export interface GroupRun {
  group: TransactionGroup;
  startedAt: number;
  /** After COMMIT: locks are held until here. */
  endedAt: number;
  statements: StatementRun[];
  /** The statement the server refused, and why; nothing after it ran. */
  /** The statement the server refused, its message and SQLSTATE. */
  failed?: { statement: Statement; error: string; code?: string };
}

async function fileNodes(client: pg.Client, relations: number[]): Promise<Map<number, number>> {
  const { rows } = await client.query<{ oid: number; node: number }>('SELECT oid::int AS oid, relfilenode::int AS node FROM pg_class WHERE oid = ANY($1::oid[])', [relations]);
  return new Map(rows.map((r) => [r.oid, r.node]));
}

const changed = (a: Map<number, number>, b: Map<number, number>) => [...a].some(([oid, node]) => b.has(oid) && b.get(oid) !== node);

/**
 * Run the groups in order as the team's tool would: a transaction group between BEGIN and COMMIT
 * (locks read exactly after each statement, so each lock is put on the statement that took it),
 * an autocommitted statement alone with pg_locks polled by `watcher` while it runs. Stops at the
 * first statement the server refuses, after rolling its transaction back.
 */
export async function runGroups(client: pg.Client, watcher: LockWatcher, groups: TransactionGroup[], relations: number[]): Promise<GroupRun[]> {
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const runs: GroupRun[] = [];
  for (const group of groups) {
    const run: GroupRun = { group, startedAt: performance.now(), endedAt: 0, statements: [] };
    runs.push(run);
    let statement: Statement | undefined;
    try {
      if (group.inTransaction) await client.query('BEGIN');
      let held = new Set<string>();
      for (statement of group.statements) {
        const before = await fileNodes(client, relations);
        if (!group.inTransaction) watcher.start(pid, relations);
        const startedAt = performance.now();
        try {
          await client.query(statement.sql);
        } finally {
          if (!group.inTransaction) await watcher.stop();
        }
        const endedAt = performance.now();
        const now = new Set(group.inTransaction ? await locksHeld(client, relations) : watcher.seen());
        const locks = [...now].filter((m) => !held.has(m));
        held = now;
        run.statements.push({ statement, startedAt, endedAt, locks, rewritten: changed(before, await fileNodes(client, relations)) });
      }
      if (group.inTransaction) await client.query('COMMIT');
      run.endedAt = performance.now();
    } catch (err) {
      run.endedAt = performance.now();
      if (group.inTransaction) await client.query('ROLLBACK').catch(() => undefined);
      run.failed = { statement: statement ?? group.statements[0]!, error: (err as Error).message, code: (err as { code?: string }).code };
      break;
    }
  }
  return runs;
}
