import type pg from 'pg';
import { connect } from '../db/connect.js';
import { strongestLock } from '../core/lock-modes.js';
import { Poller } from './poller.js';

/** The locks this session (or the backend `pid`) holds now on the given tables: exact, for an operation run inside a transaction. */
export async function locksHeld(client: pg.Client, tableOids: number[], pid?: number): Promise<string[]> {
  const { rows } = await client.query<{ mode: string }>("SELECT mode FROM pg_locks WHERE locktype = 'relation' AND pid = COALESCE($2, pg_backend_pid()) AND relation = ANY($1::oid[]) AND granted", [
    tableOids,
    pid ?? null,
  ]);
  return rows.map((r) => r.mode);
}

/**
 * Polls pg_locks from its own connection for the locks a given backend holds (or waits for) on a
 * table and its partitions (for what cannot run inside a transaction: CREATE INDEX CONCURRENTLY, a
 * batched backfill), and for when it last waited for any lock (a table's, or an older transaction's
 * end, as CONCURRENTLY does).
 */
export class LockWatcher {
  private readonly modes = new Set<string>();
  private poller?: Poller;
  private lastWait?: number;

  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<LockWatcher> {
    return new LockWatcher(await connect(url, 'pgmb-lock-watcher', { instrument: true }));
  }

  start(pid: number, tableOids: number[], everyMs = 2): void {
    this.modes.clear();
    this.lastWait = undefined;
    this.poller = new Poller(async () => {
      const { rows } = await this.client.query<{ mode: string; relation: number | null; granted: boolean }>(
        "SELECT mode, CASE WHEN locktype = 'relation' THEN relation::int END AS relation, granted FROM pg_locks WHERE pid = $1",
        [pid],
      );
      for (const r of rows) if (r.relation !== null && tableOids.includes(r.relation)) this.modes.add(r.mode);
      if (rows.some((r) => !r.granted)) this.lastWait = performance.now();
    }, everyMs);
  }

  /** How long the backend waited for a lock in a statement that ran from `startedAt` to `endedAt` (performance.now()): until it was last seen waiting. */
  waitedMs(startedAt: number, endedAt: number): number {
    return this.lastWait === undefined ? 0 : Math.min(endedAt, this.lastWait) - startedAt;
  }

  async stop(): Promise<string | undefined> {
    await this.poller?.stop();
    return strongestLock(this.modes);
  }

  /** Every mode seen between the last start() and stop(). */
  seen(): string[] {
    return [...this.modes];
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
