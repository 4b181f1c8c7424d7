import type pg from 'pg';
import { BackfillRunningError } from '../../core/errors.js';
import { quoteIdent } from '../../core/identifiers.js';
import { sleep } from '../transaction.js';
import type { BackfillTarget } from './strategy.js';

/** First key of pgmb's backfill advisory locks ('pgmb' in ASCII); the second is the table and column. */
const LOCK_SPACE = 0x70676d62;
const POLL_MS = 1000;

/** Who holds the lock, for the message: pid, application, client, since when. */
async function holder(client: pg.Client, key: string): Promise<string> {
  const { rows } = await client.query<{ pid: number; app: string; addr: string | null; since: Date | null }>(
    `SELECT a.pid, a.application_name AS app, a.client_addr::text AS addr, a.backend_start AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int4::oid AND l.objid = hashtext($2)::oid AND l.objsubid = 2`,
    [LOCK_SPACE, key],
  );
  const r = rows[0];
  if (!r) return 'its holder just finished';
  return `server pid ${r.pid}${r.app ? `, application ${r.app}` : ''}${r.addr ? ` from ${r.addr}` : ''}${r.since ? `, connected since ${r.since.toISOString()}` : ''}`;
}

/**
 * One backfill of a table and column at a time, across every client of the database: a session
 * advisory lock, held by the connection that runs the backfill and gone with it if it dies. A second
 * backfill is told who holds it, or waits (`wait`) with `onWait` called once.
 * Returns the release.
 */
export async function lockBackfill(client: pg.Client, target: BackfillTarget, wait: boolean, onWait: (holder: string) => void): Promise<() => Promise<void>> {
  const key = `${target.table.oid}/${target.column}`;
  const tryLock = async () => (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS ok', [LOCK_SPACE, key])).rows[0]!.ok;
  if (!(await tryLock())) {
    const who = await holder(client, key);
    if (!wait) throw new BackfillRunningError(target.table.sql, quoteIdent(target.column), who);
    onWait(who);
    do await sleep(POLL_MS);
    while (!(await tryLock()));
  }
  return async () => {
    await client.query('SELECT pg_advisory_unlock($1::int4, hashtext($2))', [LOCK_SPACE, key]).catch(() => undefined);
  };
}
