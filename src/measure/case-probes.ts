import type pg from 'pg';
import type { CaseFigures } from '../results/row.js';
import { strongestLock } from '../core/lock-modes.js';
import { LockWatcher } from './locks.js';
import { maxOf, mean } from '../core/numbers.js';
import { LagSampler, type ReplicaLagReader } from './replica-lag.js';
import type { StandbyReader } from './standby-reader.js';
import { snapshotTable, tableChange, type TableSnapshot } from './table-stats.js';
import { causeCell, type SlowWriteCause } from './slow-write.js';
import { WriterSet, keepErrorMessages, type CaseWriters, type WriteTarget } from './writer-probe.js';

/** How long the writers run alone on a case's first table, as the baseline. */
const BASELINE_MS = 1000;

export interface ProbeTable {
  name: string;
  /** The name as SQL: quoted, schema-qualified where it is not on the search path. */
  sql: string;
  oid: number;
  /** The table and every partition under it: where its locks are looked for. */
  relations: number[];
}

export interface CaseProbeOptions {
  url: string;
  /** The connection that runs the operation (its pid is watched, its statistics flushed). */
  op: pg.Client;
  /** A connection of the probes' own for statistics. */
  observer: pg.Client;
  /** Where simulated application writers write on a case's table (the table itself, or a user's tables); none when undefined. */
  writers?: (table: ProbeTable) => WriteTarget[];
  /** Poll pg_locks while the operation runs (for what cannot run inside a transaction). */
  pollLocks: boolean;
  /** Sample standby replay lag while the operation runs. */
  lag?: ReplicaLagReader;
  /** A report query on the standby, held while the operation runs. */
  standbyReader?: StandbyReader;
  /** pg_stat_force_next_flush() is allowed: without it, dead tuples are not reported. */
  flushStats: boolean;
}

export type ProbeFigures = Pick<
  CaseFigures,
  | 'dead_tuples'
  | 'wal_bytes'
  | 'table_rewritten'
  | 'lock_mode'
  | 'writer_p99_ms'
  | 'writer_max_ms'
  | 'writer_blocked'
  | 'writer_writes'
  | 'writer_errors'
  | 'writer_max_cause'
  | 'writer_migration_max_ms'
  | 'writer_baseline_p99_ms'
  | 'replica_lag_max_ms'
  | 'replica_lag_max_bytes'
  | 'standby_query_ms'
>;

/**
 * Everything that watches one bench case, over all its iterations: table statistics before and
 * after, the locks taken, simulated writers (with a baseline of their own), standby lag, and a
 * report query on the standby.
 * start() and stop() bracket each iteration's operation; figures() sums them up.
 */
export class CaseProbes implements CaseWriters {
  private readonly dead: number[] = [];
  private readonly wal: number[] = [];
  private readonly locks: string[] = [];
  private readonly writerP99: number[] = [];
  private readonly writerMax: number[] = [];
  private readonly lagMs: number[] = [];
  private readonly lagBytes: number[] = [];
  private rewritten = false;
  private writerBlocked = 0;
  private writerWrites = 0;
  private writerErrors = 0;
  private writerErrorMessages: string[] = [];
  private readonly writerMigrationMax: number[] = [];
  /** The cause of the slowest write over all iterations, with its duration. */
  private slowest?: { ms: number; cause: SlowWriteCause };
  private writerBaselineP99: number | undefined;
  private before: TableSnapshot | undefined;
  private table: ProbeTable | undefined;

  private constructor(
    private readonly options: CaseProbeOptions,
    private readonly pid: number,
    private readonly watcher: LockWatcher | undefined,
    private readonly sampler: LagSampler | undefined,
    private writers: WriterSet | undefined,
  ) {}

  static async open(options: CaseProbeOptions): Promise<CaseProbes> {
    const pid = (await options.op.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const watcher = options.pollLocks ? await LockWatcher.open(options.url) : undefined;
    const sampler = options.lag ? new LagSampler(options.lag) : undefined;
    return new CaseProbes(options, pid, watcher, sampler, undefined);
  }

  /** Before each iteration, on its fresh table; the first table also gets the writers' baseline. */
  async prepare(table: ProbeTable): Promise<void> {
    this.table = table;
    if (!this.options.writers) return;
    const targets = this.options.writers(table);
    if (!this.writers) {
      this.writers = await WriterSet.open(this.options.url, targets);
      await this.writers.start();
      await new Promise((r) => setTimeout(r, BASELINE_MS));
      this.writerBaselineP99 = (await this.writers.stop()).p99Ms;
    }
    this.writers.retarget(targets);
  }

  async start(): Promise<void> {
    const t = this.table!;
    this.before = await snapshotTable(this.options.observer, this.options.op, t.relations, this.options.flushStats);
    await this.options.standbyReader?.start(t.name);
    await this.writers?.start();
    this.watcher?.start(this.pid, t.relations);
    this.sampler?.start();
  }

  /** After the operation; `locksHeld` are the locks read exactly inside its transaction, if any. */
  async stop(locksHeld: string[] = []): Promise<void> {
    const lag = await this.sampler?.stop();
    await this.options.standbyReader?.stop();
    if (lag) {
      this.lagMs.push(lag.ms);
      this.lagBytes.push(lag.bytes);
    }
    const polled = await this.watcher?.stop();
    for (const mode of polled ? [...locksHeld, polled] : locksHeld) this.locks.push(mode);
    const w = await this.writers?.stop();
    if (w?.p99Ms !== undefined) this.writerP99.push(w.p99Ms);
    if (w?.maxMs !== undefined) this.writerMax.push(w.maxMs);
    if (w?.migrationMaxMs !== undefined) this.writerMigrationMax.push(w.migrationMaxMs);
    if (w?.maxCause && (!this.slowest || w.maxMs! > this.slowest.ms)) this.slowest = { ms: w.maxMs!, cause: w.maxCause };
    this.writerBlocked += w?.blocked ?? 0;
    this.writerWrites += w?.writes ?? 0;
    this.writerErrors += w?.errors ?? 0;
    keepErrorMessages(this.writerErrorMessages, w?.errorMessages ?? []);
    const { observer, op } = this.options;
    const change = await tableChange(observer, this.before!, await snapshotTable(observer, op, this.table!.relations, this.options.flushStats));
    if (change.deadTuples !== undefined) this.dead.push(change.deadTuples);
    this.wal.push(change.walBytes);
    this.rewritten ||= change.rewritten;
  }

  /** The simulated writers' health now (0 without writers), for a writer-p99 throttle. */
  recentP99Ms(): number {
    return this.writers?.recentP99Ms() ?? 0;
  }

  heldWithin(from: number, to: number): number | undefined {
    return this.writers?.heldWithin(from, to);
  }

  errorMessages(): string[] {
    return [...this.writerErrorMessages];
  }

  figures(): ProbeFigures {
    return {
      dead_tuples: mean(this.dead),
      wal_bytes: mean(this.wal),
      table_rewritten: this.rewritten,
      lock_mode: strongestLock(this.locks),
      writer_p99_ms: maxOf(this.writerP99),
      writer_max_ms: maxOf(this.writerMax),
      writer_blocked: this.options.writers ? this.writerBlocked : undefined,
      writer_writes: this.options.writers ? this.writerWrites : undefined,
      writer_errors: this.options.writers ? this.writerErrors : undefined,
      // Only when the slowest write of the case is the one explained (it was over SLOW_WRITE_MS).
      writer_max_cause: this.slowest && this.slowest.ms === maxOf(this.writerMax) ? causeCell(this.slowest.cause) : undefined,
      writer_migration_max_ms: this.options.writers ? (maxOf(this.writerMigrationMax) ?? 0) : undefined,
      writer_baseline_p99_ms: this.writerBaselineP99,
      replica_lag_max_ms: maxOf(this.lagMs),
      replica_lag_max_bytes: maxOf(this.lagBytes),
      standby_query_ms: this.options.standbyReader?.holdMs,
    };
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    await this.writers?.close();
  }
}
