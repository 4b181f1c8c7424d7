import type pg from 'pg';
import { LockTimeoutError } from '../core/errors.js';
import type { StepContext } from './types.js';
import { LOCK_NOT_AVAILABLE } from '../db/errors.js';

const MAX_BACKOFF_MS = 10_000;

/**
 * fn between BEGIN and COMMIT, rolled back on any error. `begin` may carry SET LOCALs, sent in the
 * same round trip; if one of them fails, the aborted transaction is rolled back too.
 */
export async function inTransaction<T>(client: pg.Client, fn: () => Promise<T>, begin = 'BEGIN'): Promise<T> {
  try {
    await client.query(begin);
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter: 200 ms, 400 ms, 800 ms ... capped. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 200 * 2 ** (attempt - 1));
  return Math.round(base * (0.5 + random() / 2));
}

/** Lock modes this session holds on user relations (the catalogs' own locks left out). */
async function userTableLocks(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ mode: string }>("SELECT DISTINCT mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND relation >= 16384");
  return rows.map((r) => r.mode);
}

/**
 * Run statements in one short transaction with lock_timeout and statement_timeout, so that a
 * migration waiting for a lock never queues the application's queries behind it for long. On a
 * lock timeout it rolls back, waits and tries again; after maxAttempts it gives up clearly.
 * `inside` runs after the statements, before COMMIT, in the same transaction (a backfill batch and
 * its checkpoint; a look at the locks taken).
 */
export async function runShortTransaction<T = void>(
  ctx: StepContext,
  description: string,
  statements: string[],
  extra: {
    inside?: (client: pg.Client) => Promise<T>;
    statementTimeoutMs?: number;
    /**
     * For redoable work only (a backfill batch with its checkpoint): the commit does not wait
     * for the WAL flush. If the server crashes, the batch and its checkpoint are lost together
     * and a rerun redoes them; nothing the application wrote is affected.
     */
    asyncCommit?: boolean;
  } = {},
): Promise<T | undefined> {
  const { client, options } = ctx;
  const statementTimeoutMs = Math.round(extra.statementTimeoutMs ?? options.statementTimeoutMs);
  // One round trip to open the transaction: per-batch overhead adds up over hundreds of batches.
  const begin = [
    'BEGIN',
    `SET LOCAL lock_timeout = ${Math.round(options.lockTimeoutMs)}`,
    `SET LOCAL statement_timeout = ${statementTimeoutMs}`,
    ...(extra.asyncCommit ? ['SET LOCAL synchronous_commit = off'] : []),
  ].join('; ');
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(
        client,
        async () => {
          for (const sql of statements) await client.query(sql);
          if (options.reportLocks && !extra.asyncCommit) ctx.emit({ type: 'ddl-locks', description, modes: await userTableLocks(client) });
          return extra.inside ? await extra.inside(client) : undefined;
        },
        begin,
      );
    } catch (err) {
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
      if (attempt >= options.maxAttempts) throw new LockTimeoutError(description, attempt, options.lockTimeoutMs);
      const waitMs = backoffMs(attempt);
      ctx.emit({ type: 'ddl-retry', description, attempt, waitMs });
      await sleep(waitMs);
    }
  }
}
