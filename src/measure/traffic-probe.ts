import type pg from 'pg';
import { backendPid, connect } from '../db/connect.js';
import { isConnectionLoss } from '../db/errors.js';
import type { HealthSignal } from '../engine/backfill/throttle.js';
import { quoteIdent } from '../core/identifiers.js';
import { LatencyLog } from './latency-log.js';
import { maxOf } from '../core/numbers.js';
import { explainWait, SLOW_WRITE_MS, type SlowWriteCause } from './slow-write.js';
import { WaitSampler } from './wait-sampler.js';

export interface WriterStats {
  /** Writes that ended, refused ones included: each is timed, as the application waited for it either way. */
  writes: number;
  p99Ms?: number;
  maxMs?: number;
  /** Writes that waited longer than blockedMs: an application would have noticed. */
  blocked: number;
  /** Writes the server refused. */
  errors: number;
  /** The first few distinct messages of the failed writes: what broke them (a renamed column, a new constraint). */
  errorMessages: string[];
  /** Why the slowest write waited, when it was slow (undefined without a wait sampler). */
  maxCause?: SlowWriteCause;
  /** The slowest write the migration was the cause of (over SLOW_WRITE_MS). */
  migrationMaxMs?: number;
}

/** Why a write of backend `pid` over [from, to] (performance.now() times) was slow. */
export type ExplainWrite = (pid: number, from: number, to: number) => SlowWriteCause;

/** Distinct error messages kept per run: enough to say what broke, never a log of every write. */
const ERROR_MESSAGES_KEPT = 3;

/** `into` plus the messages of `from` it lacks, up to ERROR_MESSAGES_KEPT. */
export function keepErrorMessages(into: string[], from: readonly string[]): string[] {
  for (const m of from) if (into.length < ERROR_MESSAGES_KEPT && !into.includes(m)) into.push(m);
  return into;
}

export interface WriterOptions {
  connections: number;
  /** Pause between two writes of one connection. */
  intervalMs: number;
  blockedMs: number;
}

/** What writers need of a table: columns as SQL over a row number `g`, and the key to update by. */
export interface WriterColumns {
  loaded: readonly { name: string; series: string }[];
  primaryKey: readonly string[];
  /** CHECK constraints over the loaded columns: a row they refuse is not written (the application would not write it). */
  checks?: readonly string[];
}

export const DEFAULT_WRITERS: WriterOptions = { connections: 2, intervalMs: 10, blockedMs: 1000 };

/** Keys of existing rows to update: sampled cheaply, so updates hit rows a migration may hold. */
const SAMPLE_KEYS = 200;

/** How far back recentP99Ms() looks: long enough for a stable p99, short enough to see recovery. */
const RECENT_WINDOW_MS = 1000;

/**
 * The application, simulated: a few connections doing a steady mix of single-row INSERTs and
 * UPDATEs by key on the table under migration, each write timed. The answer to "did writers
 * notice?" is the latency distribution, its maximum and the count of writes over 1 s.
 */
export class WriterProbe {
  /** Every write of the run so far, in memory that stays flat however long it runs. */
  private log = new LatencyLog();
  /** Start of each connection's write in flight; a write stuck on a lock counts before it ends. */
  private readonly inFlight = new Map<number, number>();
  private blocked = 0;
  private errors = 0;
  private errorMessages: string[] = [];
  private slowest?: { ms: number; cause: SlowWriteCause };
  private migrationMaxMs?: number;
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  private constructor(
    private readonly url: string,
    private readonly clients: pg.Client[],
    /** Quoted (and maybe schema-qualified) SQL name of the table written to. */
    private table: string,
    private readonly columns: WriterColumns,
    private readonly options: WriterOptions,
    private readonly explain?: ExplainWrite,
  ) {}

  static async open(url: string, tableSql: string, columns: WriterColumns, options: Partial<WriterOptions> = {}, explain?: ExplainWrite): Promise<WriterProbe> {
    const o = { ...DEFAULT_WRITERS, ...options };
    const clients = await Promise.all(Array.from({ length: o.connections }, () => writerConnection(url)));
    return new WriterProbe(url, clients, tableSql, columns, o, explain);
  }

  /** The writers' backends now (a reconnect changes them), for a wait sampler to watch. */
  pids(): number[] {
    return this.clients.flatMap((c) => backendPid(c) ?? []);
  }

  /** Write to another table from the next start() on (benches rebuild the table each iteration). */
  retarget(tableSql: string): void {
    this.table = tableSql;
  }

  /** Begin writing; the table must exist (it may be a fresh one for each iteration). */
  async start(): Promise<void> {
    this.log = new LatencyLog();
    this.blocked = 0;
    this.errors = 0;
    this.errorMessages = [];
    this.slowest = undefined;
    this.migrationMaxMs = undefined;
    const t = this.table;
    const cols = this.columns.loaded;
    // Each write's values are the fixture's expressions for one row number: typed as the table wants.
    const row = '(SELECT $1::int8 AS g) AS w';
    const updated = cols.filter((c) => !this.columns.primaryKey.includes(c.name)).at(-1);
    // By the whole primary key, as an application does: on a partitioned table it names the partition.
    const key = this.columns.primaryKey.map(quoteIdent);
    const keys = key.length ? (await this.clients[0]!.query<string[]>({ text: `SELECT ${key.map((k) => `${k}::text`).join(', ')} FROM ${t} LIMIT ${SAMPLE_KEYS}`, rowMode: 'array' })).rows : [];
    const names = cols.map((c) => quoteIdent(c.name)).join(', ');
    const checks = this.columns.checks ?? [];
    const insertSql = checks.length
      ? `INSERT INTO ${t} (${names}) SELECT ${names} FROM (SELECT ${cols.map((c) => `${c.series} AS ${quoteIdent(c.name)}`).join(', ')} FROM ${row}) AS candidate WHERE ${checks.map((c) => `(${c}) IS NOT FALSE`).join(' AND ')}`
      : `INSERT INTO ${t} (${names}) SELECT ${cols.map((c) => c.series).join(', ')} FROM ${row}`;
    const updateSql = updated && `UPDATE ${t} SET ${quoteIdent(updated.name)} = (SELECT ${updated.series} FROM ${row}) WHERE (${key.join(', ')}) = (${key.map((_, i) => `$${i + 2}`).join(', ')})`;
    this.running = true;
    this.loops = this.clients.map(async (_, slot) => {
      while (this.running) {
        const client = this.clients[slot]!;
        const n = ++this.seq;
        // Values far above any fixture row number, so unique columns stay unique.
        const g = 1_000_000_000 + process.pid * 100_000 + n;
        const t0 = performance.now();
        this.inFlight.set(slot, t0);
        try {
          if (n % 2 === 0 && updateSql && keys.length) await client.query(updateSql, [g, ...keys[n % keys.length]!]);
          else await client.query(insertSql, [g]);
        } catch (err) {
          this.errors += 1;
          keepErrorMessages(this.errorMessages, [(err as Error).message]);
          // The application reconnects: a lost connection (a failover, a kill) is one failed write, not all the rest.
          if (isConnectionLoss(err)) await this.reconnect(slot);
        }
        // A failed write waited too (often on the very lock whose statement then broke it): its wait counts.
        const now = performance.now();
        this.inFlight.delete(slot);
        this.log.record(t0, now);
        if (now - t0 > SLOW_WRITE_MS) this.explainSlow(backendPid(client), t0, now);
        if (now - t0 > this.options.blockedMs) this.blocked += 1;
        await new Promise((r) => setTimeout(r, this.options.intervalMs));
      }
    });
  }

  /** Look for why a slow write waited; keep the slowest's cause and the migration's worst. */
  private explainSlow(pid: number | undefined, from: number, to: number): void {
    if (!this.explain || pid === undefined) return;
    const ms = to - from;
    const cause = this.explain(pid, from, to);
    if (!this.slowest || ms > this.slowest.ms) this.slowest = { ms, cause };
    if (cause.by === 'migration') this.migrationMaxMs = maxOf([this.migrationMaxMs, ms]);
  }

  /** A new connection in `slot` for a lost one; on failure the next write fails and tries again. */
  private async reconnect(slot: number): Promise<void> {
    await this.clients[slot]!.end().catch(() => undefined);
    this.clients[slot] = await writerConnection(this.url).catch(() => this.clients[slot]!);
  }

  /**
   * The longest any write was held inside the window [from, to] (performance.now() times): the part
   * of each write's wait that fell in the window, writes still waiting counted up to now. Undefined
   * when no write overlapped it.
   */
  heldWithin(from: number, to: number, now = performance.now()): number | undefined {
    const waiting = [...this.inFlight.values()].map((t0) => Math.min(now, to) - Math.max(t0, from)).filter((ms) => ms >= 0);
    return maxOf([this.log.longestWithin(from, to), ...waiting]);
  }

  /**
   * The writers' health right now: p99 of the writes that finished in the last second, or the age
   * of the oldest write still waiting if that is worse (a blocked write has no latency yet).
   */
  recentP99Ms(now = performance.now()): number {
    const recent = this.log.percentileSince(now - RECENT_WINDOW_MS, 99) ?? 0;
    const waiting = maxOf([...this.inFlight.values()].map((t0) => now - t0)) ?? 0;
    return Math.max(recent, waiting);
  }

  async stop(): Promise<WriterStats> {
    this.running = false;
    await Promise.all(this.loops);
    return {
      writes: this.log.count,
      p99Ms: this.log.percentile(99),
      maxMs: this.log.max,
      blocked: this.blocked,
      errors: this.errors,
      errorMessages: this.errorMessages,
      maxCause: this.slowest?.cause,
      migrationMaxMs: this.migrationMaxMs,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.end().catch(() => undefined)));
  }
}

/** A writer's connection: a statement stuck past a minute is an error, not a hang. */
async function writerConnection(url: string): Promise<pg.Client> {
  const c = await connect(url, 'pgmb-writer', { instrument: true });
  await c.query('SET statement_timeout = 60000');
  return c;
}

/** Whatever can tell the writers' recent p99: the probe, the bench case that owns one, a canary. */
export interface WriterHealth {
  recentP99Ms(): number | Promise<number>;
}

/** The writers of a bench case, as the measured operation sees them. */
export interface CaseWriters extends WriterHealth {
  /** See WriterProbe.heldWithin; undefined without writers. */
  heldWithin(from: number, to: number): number | undefined;
  /** What the failed writes said, over every run so far (see WriterStats.errorMessages). */
  errorMessages(): string[];
}

/** Health signal for throttleWhile(): the writers' recent p99 (see recentP99Ms), against `limitMs`. */
export function writerSignal(health: WriterHealth, limitMs: number): HealthSignal {
  return { name: 'writer p99', limit: limitMs, read: async () => health.recentP99Ms() };
}

/** A table the simulated application writes, and what its rows look like. */
export interface WriteTarget {
  sql: string;
  columns: WriterColumns;
}

/**
 * The application on several tables at once: a WriterProbe per table, read as one (a write held
 * on any table is a write held).
 */
export class WriterSet {
  private constructor(
    private readonly probes: WriterProbe[],
    private readonly sampler: WaitSampler,
  ) {}

  /** Writers on each target, and a wait sampler watching them so that every slow write gets its cause. */
  static async open(url: string, targets: WriteTarget[]): Promise<WriterSet> {
    const sampler = await WaitSampler.open(url);
    const explain: ExplainWrite = (pid, from, to) => explainWait(pid, sampler.within(from, to));
    return new WriterSet(await Promise.all(targets.map((t) => WriterProbe.open(url, t.sql, t.columns, {}, explain))), sampler);
  }

  /** The same tables, rebuilt under new names (one per probe, in order). */
  retarget(targets: WriteTarget[]): void {
    for (const [i, p] of this.probes.entries()) p.retarget(targets[i]!.sql);
  }

  async start(): Promise<void> {
    await Promise.all(this.probes.map((p) => p.start()));
    this.sampler.start(() => this.probes.flatMap((p) => p.pids()));
  }

  async stop(): Promise<WriterStats> {
    const all = await Promise.all(this.probes.map((p) => p.stop()));
    await this.sampler.stop();
    // A probe's slowest write is the one its maxCause explains.
    const slowest = all.filter((s) => s.maxCause).sort((a, b) => b.maxMs! - a.maxMs!)[0];
    const worst = (pick: (s: WriterStats) => number | undefined) => maxOf(all.map(pick));
    const sum = (pick: (s: WriterStats) => number) => all.reduce((n, s) => n + pick(s), 0);
    return {
      writes: sum((s) => s.writes),
      p99Ms: worst((s) => s.p99Ms),
      maxMs: worst((s) => s.maxMs),
      blocked: sum((s) => s.blocked),
      errors: sum((s) => s.errors),
      errorMessages: all.reduce<string[]>((kept, s) => keepErrorMessages(kept, s.errorMessages), []),
      maxCause: slowest?.maxMs === worst((s) => s.maxMs) ? slowest?.maxCause : undefined,
      migrationMaxMs: worst((s) => s.migrationMaxMs),
    };
  }

  recentP99Ms(): number {
    return maxOf(this.probes.map((p) => p.recentP99Ms())) ?? 0;
  }

  heldWithin(from: number, to: number): number | undefined {
    return maxOf(this.probes.map((p) => p.heldWithin(from, to)));
  }

  async close(): Promise<void> {
    await Promise.all(this.probes.map((p) => p.close()));
    await this.sampler.close();
  }
}
