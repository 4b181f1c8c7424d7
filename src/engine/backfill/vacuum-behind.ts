import type pg from 'pg';
import { InvalidOptionError } from '../../core/errors.js';
import type { Leaf } from '../relations.js';
import { LOCK_NOT_AVAILABLE } from '../../db/errors.js';

/** `off`, `auto` (the engine picks how often from the growth it measures), or a round every N batches. */
export type VacuumPolicy = 'off' | 'auto' | number;

/** `off`, `auto` or a number of batches: how often a backfill vacuums behind its walk. */
export function parseVacuum(option: string, text: string): VacuumPolicy {
  const t = text.trim();
  if (t === 'off' || t === 'auto') return t;
  if (/^\d+$/.test(t) && Number(t) > 0) return Number(t);
  throw new InvalidOptionError(option, `must be off, auto or a number of batches, got ${JSON.stringify(text)}`);
}

/**
 * The auto policy: a round every 5 batches (1.085x the compact size at 1M rows with 2 workers,
 * measured; every batch gave 1.078x but cost 1.5x the vacuum time), closer together while the leaf
 * still grows by more than 5% of its starting size between two rounds. Never further apart: spacing
 * rounds out on slow growth left a 1M-row table at 1.18x.
 */
const AUTO_START = 5;
const GROWING = 0.05;
/**
 * auto also keeps batches to a 50th of the leaf (never under 1,000 rows): what a walk has written
 * but no round has freed yet is a few batches, all at the end of the heap, so on a small leaf big
 * batches are what grows it (100K rows, batches of 5,000, 2 workers, writers on: 1.26x uncapped,
 * 1.11-1.16x at a 40th, 1.11-1.14x at a 50th, measured). It changes nothing from 250K rows up with
 * batches of 5,000.
 */
const LEAF_SHARE = 50;
const LEAST_CAPPED_BATCH = 1000;

export interface VacuumFigures {
  /** Rounds that ran. */
  vacuums: number;
  /** Rounds skipped because the leaf was locked (autovacuum, DDL): a round never queues. */
  skipped: number;
  /** Time spent in rounds (beside the walk when it has a connection of its own). */
  ms: number;
}

/**
 * VACUUM behind the walk: a backfill writes a new version of every row, and with the heap full the
 * new versions go to new pages at the end, so the table doubles. A `VACUUM (INDEX_CLEANUP OFF)` of
 * the leaf every few batches frees the old versions the walk left behind, and the next batches'
 * new versions fill that space instead. It runs outside the batches' transactions: on a connection
 * of its own beside the walk (one for all workers; a round still running means the next is not
 * started), or, without one, on the worker's connection between two batches. SKIP_LOCKED and
 * lock_timeout: it never queues behind autovacuum or DDL; TRUNCATE false: it never asks for the
 * ACCESS EXCLUSIVE lock that giving pages back to the OS takes.
 */
export class VacuumBehind {
  private every: number;
  private readonly since = new Map<number, number>();
  private readonly sizeAtStart = new Map<number, number>();
  private readonly sizeAtLast = new Map<number, number>();
  private running: Promise<void> | undefined;
  /** A round beside the walk that failed for another reason than the lock: the walk fails with it. */
  private failure: unknown;
  private own: Promise<pg.Client> | undefined;
  readonly figures: VacuumFigures = { vacuums: 0, skipped: 0, ms: 0 };

  constructor(
    private readonly policy: VacuumPolicy,
    private readonly lockTimeoutMs: number,
    private readonly connect?: () => Promise<pg.Client>,
  ) {
    this.every = policy === 'auto' ? AUTO_START : policy === 'off' ? Infinity : policy;
  }

  /** The most rows a batch of a leaf of `leafRows` rows should write under this policy. */
  batchCap(leafRows: number): number {
    return this.policy === 'auto' ? Math.max(LEAST_CAPPED_BATCH, Math.ceil(leafRows / LEAF_SHARE)) : Infinity;
  }

  /**
   * After a batch of `leaf` that wrote rows, from the worker whose connection is `client`. A round
   * that is due starts beside the walk (or, without a connection of its own, runs now on `client`,
   * which is between two transactions).
   */
  async afterBatch(client: pg.Client, leaf: Leaf, wrote: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.policy === 'off' || wrote === 0) return;
    const n = (this.since.get(leaf.oid) ?? 0) + 1;
    this.since.set(leaf.oid, n);
    if (n < this.every || this.running) return;
    this.since.set(leaf.oid, 0);
    if (this.connect) {
      this.own ??= this.connect().then(async (c) => {
        await c.query(`SET lock_timeout = ${Math.round(this.lockTimeoutMs)}`);
        return c;
      });
      const own = await this.own;
      this.running = this.round(own, leaf)
        .catch((err: unknown) => {
          this.failure = err;
        })
        .finally(() => (this.running = undefined));
    } else {
      await this.round(client, leaf, true);
    }
  }

  private async round(client: pg.Client, leaf: Leaf, inline = false): Promise<void> {
    const t0 = performance.now();
    // VACUUM cannot run in a transaction block, so on the worker's connection the lock timeout is
    // the session's for the moment of the round, and its own setting is put back after.
    const previous = inline ? (await client.query<{ p: string }>("SELECT current_setting('lock_timeout') AS p")).rows[0]!.p : undefined;
    if (inline) await client.query(`SET lock_timeout = ${Math.round(this.lockTimeoutMs)}`);
    // SKIP_LOCKED skips a locked leaf with a WARNING (SQLSTATE 55P03), not an error.
    let locked = false;
    const onNotice = (n: { code?: string }) => {
      locked ||= n.code === LOCK_NOT_AVAILABLE;
    };
    client.on('notice', onNotice);
    try {
      const before = await this.size(client, leaf);
      if (!this.sizeAtStart.has(leaf.oid)) this.sizeAtStart.set(leaf.oid, before);
      await client.query(`VACUUM (INDEX_CLEANUP OFF, TRUNCATE false, SKIP_LOCKED) ${leaf.sql}`);
      if (locked) this.figures.skipped += 1;
      else {
        this.figures.vacuums += 1;
        this.adapt(leaf, before);
      }
    } catch (err) {
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
      this.figures.skipped += 1;
    } finally {
      client.off('notice', onNotice);
      if (previous !== undefined) await client.query("SELECT set_config('lock_timeout', $1, false)", [previous]);
      this.figures.ms += performance.now() - t0;
    }
  }

  /** auto: rounds closer together while the leaf still grows fast between them. */
  private adapt(leaf: Leaf, size: number): void {
    if (this.policy !== 'auto') return;
    const last = this.sizeAtLast.get(leaf.oid);
    this.sizeAtLast.set(leaf.oid, size);
    if (last !== undefined && (size - last) / Math.max(1, this.sizeAtStart.get(leaf.oid)!) > GROWING) this.every = Math.max(1, Math.floor(this.every / 2));
  }

  private async size(client: pg.Client, leaf: Leaf): Promise<number> {
    return (await client.query<{ n: number }>('SELECT pg_relation_size($1::oid)::float8 AS n', [leaf.oid])).rows[0]!.n;
  }

  /** Waits for a round still running, closes the connection of its own, and reports a failed round. */
  async close(): Promise<void> {
    await this.running;
    const own = await this.own?.catch(() => undefined);
    await own?.end().catch(() => undefined);
    if (this.failure) throw this.failure;
  }
}
