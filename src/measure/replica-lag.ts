import type pg from 'pg';
import type { HealthSignal } from '../engine/backfill/throttle.js';
import { sleep } from '../engine/transaction.js';
import { Poller } from './poller.js';

export interface ReplicaLag {
  /** Standbys streaming from this server. */
  standbys: number;
  /** The worst standby's replay lag in ms. */
  ms: number;
  /** The worst standby's WAL not yet replayed, in bytes. */
  bytes: number;
}

/**
 * Replay lag of every standby, read on the primary (pg_stat_replication), so it works for the
 * user's own standbys too. `replay_lag` is only refreshed when a standby reports progress, so it
 * goes stale when replay stalls; the reader therefore also counts how long a standby's replay
 * position has not moved while WAL kept coming, and takes the larger of the two. A standby with
 * no WAL left to replay has no lag.
 */
export class ReplicaLagReader {
  private readonly lastMove = new Map<string, { lsn: string; at: number }>();

  constructor(private readonly primary: pg.Client) {}

  async read(): Promise<ReplicaLag> {
    const { rows } = await this.primary.query<{ name: string; replay: string | null; behind: number; lag_ms: number }>(
      `SELECT application_name || ':' || pid AS name, replay_lsn::text AS replay,
              coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::float8 AS behind,
              coalesce(extract(epoch FROM replay_lag) * 1000, 0)::float8 AS lag_ms
         FROM pg_stat_replication`,
    );
    const now = performance.now();
    let ms = 0;
    let bytes = 0;
    for (const r of rows) {
      const last = this.lastMove.get(r.name);
      if (!last || last.lsn !== r.replay) this.lastMove.set(r.name, { lsn: r.replay ?? '', at: now });
      const stalled = r.behind > 0 && last && last.lsn === r.replay ? now - last.at : 0;
      // A standby with nothing left to replay is not behind, whatever replay_lag still shows
      // (PostgreSQL keeps the last measured value a while after it caught up).
      if (r.behind > 0) ms = Math.max(ms, r.lag_ms, stalled);
      bytes = Math.max(bytes, r.behind);
    }
    return { standbys: rows.length, ms, bytes };
  }
}

/** Health signal for throttleWhile(): the worst standby's replay lag, against `limitMs`. */
export function lagSignal(reader: ReplicaLagReader, limitMs: number): HealthSignal {
  return { name: 'replica lag', limit: limitMs, read: async () => (await reader.read()).ms };
}

/**
 * Wait until `standby` has replayed everything `primary` had written when called. The target is
 * the insert position, not pg_current_wal_lsn() (the write position): a commit made with
 * synchronous_commit off, as backfill batches are, can sit in WAL buffers behind the write
 * position for a moment, and a wait for the write position missed the last batch on the standby.
 */
export async function waitForReplay(primary: pg.Client, standby: pg.Client, timeoutMs = 60_000): Promise<void> {
  const target = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0]!.lsn;
  const deadline = performance.now() + timeoutMs;
  while (!(await standby.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [target])).rows[0]!.ok) {
    if (performance.now() > deadline) throw new Error(`the standby did not replay up to ${target} within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Samples lag beside an operation and keeps the worst seen. */
export class LagSampler {
  private poller?: Poller;
  max: ReplicaLag = { standbys: 0, ms: 0, bytes: 0 };

  constructor(private readonly reader: ReplicaLagReader) {}

  start(everyMs = 100): void {
    this.max = { standbys: 0, ms: 0, bytes: 0 };
    this.poller = new Poller(async () => {
      const lag = await this.reader.read();
      this.max = { standbys: Math.max(this.max.standbys, lag.standbys), ms: Math.max(this.max.ms, lag.ms), bytes: Math.max(this.max.bytes, lag.bytes) };
    }, everyMs);
  }

  async stop(): Promise<ReplicaLag> {
    await this.poller?.stop();
    return this.max;
  }
}
