import type pg from 'pg';
import { backendPid, connect } from '../db/connect.js';
import { isConnectionLoss } from '../db/errors.js';
import type { HealthSignal } from '../engine/backfill/throttle.js';
import { LatencyLog } from './latency-log.js';
import { maxOf } from '../core/numbers.js';
import { explainWait, SLOW_WRITE_MS, type SlowWriteCause } from './slow-write.js';
import { WaitSampler } from './wait-sampler.js';

export interface TrafficStats {
  /** Operations that ended, refused ones included: each is timed, as the application waited for it either way. */
  ops: number;
  p99Ms?: number;
  maxMs?: number;
  /** Operations that waited longer than blockedMs: an application would have noticed. */
  blocked: number;
  /** Operations the server refused. */
  errors: number;
  /** The first few distinct messages of the failed operations: what broke them (a renamed column, a new constraint). */
  errorMessages: string[];
  /** Why the slowest operation waited, when it was slow (undefined without a wait sampler). */
  maxCause?: SlowWriteCause;
  /** The slowest operation the migration was the cause of (over SLOW_WRITE_MS). */
  migrationMaxMs?: number;
}

/** Why an operation of backend `pid` over [from, to] (performance.now() times) was slow. */
export type ExplainOp = (pid: number, from: number, to: number) => SlowWriteCause;

/** Distinct error messages kept per run: enough to say what broke, never a log of every operation. */
const ERROR_MESSAGES_KEPT = 3;

/** `into` plus the messages of `from` it lacks, up to ERROR_MESSAGES_KEPT. */
export function keepErrorMessages(into: string[], from: readonly string[]): string[] {
  for (const m of from) if (into.length < ERROR_MESSAGES_KEPT && !into.includes(m)) into.push(m);
  return into;
}

export interface TrafficOptions {
  connections: number;
  /** Pause between two operations of one connection. */
  intervalMs: number;
  blockedMs: number;
}

/** One operation of the simulated application; `n` numbers the operations of a probe, over all its connections. */
export type TrafficOp = (client: pg.Client, n: number) => Promise<unknown>;

/** What one kind of simulated traffic does (./workloads): the rest of a TrafficProbe is the same for all. */
export interface Workload {
  /** Its connections' application_name: how pg_stat_activity (and a chaos test) tells them apart. */
  application: string;
  /** Ready the statements for the table `tableSql` (keys sampled with `client`): the operation each turn runs. */
  prepare(client: pg.Client, tableSql: string): Promise<TrafficOp>;
}

/** How far back recentP99Ms() looks: long enough for a stable p99, short enough to see recovery. */
const RECENT_WINDOW_MS = 1000;

/**
 * The application, simulated: a few connections each running a workload's operation on the table
 * under migration in a loop with a pause, each operation timed. The answer to "did the application
 * notice?" is the latency distribution, its maximum and the count of operations over 1 s.
 */
export class TrafficProbe {
  /** Every operation of the run so far, in memory that stays flat however long it runs. */
  private log = new LatencyLog();
  /** Start of each connection's operation in flight; one stuck on a lock counts before it ends. */
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
    /** Quoted (and maybe schema-qualified) SQL name of the table the operations run on. */
    private table: string,
    private readonly workload: Workload,
    private readonly options: TrafficOptions,
    private readonly explain?: ExplainOp,
  ) {}

  static async open(url: string, tableSql: string, workload: Workload, options: TrafficOptions, explain?: ExplainOp): Promise<TrafficProbe> {
    const clients = await Promise.all(Array.from({ length: options.connections }, () => trafficConnection(url, workload.application)));
    return new TrafficProbe(url, clients, tableSql, workload, options, explain);
  }

  /** The probe's backends now (a reconnect changes them), for a wait sampler to watch. */
  pids(): number[] {
    return this.clients.flatMap((c) => backendPid(c) ?? []);
  }

  /** Run on another table from the next start() on (benches rebuild the table each iteration). */
  retarget(tableSql: string): void {
    this.table = tableSql;
  }

  /** Begin the traffic; the table must exist (it may be a fresh one for each iteration). */
  async start(): Promise<void> {
    this.log = new LatencyLog();
    this.blocked = 0;
    this.errors = 0;
    this.errorMessages = [];
    this.slowest = undefined;
    this.migrationMaxMs = undefined;
    const op = await this.workload.prepare(this.clients[0]!, this.table);
    this.running = true;
    this.loops = this.clients.map((_, slot) => this.loop(slot, op));
  }

  /** One connection's operations until stop(), each timed. */
  private async loop(slot: number, op: TrafficOp): Promise<void> {
    while (this.running) {
      const client = this.clients[slot]!;
      const n = ++this.seq;
      const t0 = performance.now();
      this.inFlight.set(slot, t0);
      try {
        await op(client, n);
      } catch (err) {
        this.errors += 1;
        keepErrorMessages(this.errorMessages, [(err as Error).message]);
        // The application reconnects: a lost connection (a failover, a kill) is one failed operation, not all the rest.
        if (isConnectionLoss(err)) await this.reconnect(slot);
      }
      // A failed operation waited too (often on the very lock whose statement then broke it): its wait counts.
      const now = performance.now();
      this.inFlight.delete(slot);
      this.log.record(t0, now);
      if (now - t0 > SLOW_WRITE_MS) this.explainSlow(backendPid(client), t0, now);
      if (now - t0 > this.options.blockedMs) this.blocked += 1;
      await new Promise((r) => setTimeout(r, this.options.intervalMs));
    }
  }

  /** Look for why a slow operation waited; keep the slowest's cause and the migration's worst. */
  private explainSlow(pid: number | undefined, from: number, to: number): void {
    if (!this.explain || pid === undefined) return;
    const ms = to - from;
    const cause = this.explain(pid, from, to);
    if (!this.slowest || ms > this.slowest.ms) this.slowest = { ms, cause };
    if (cause.by === 'migration') this.migrationMaxMs = maxOf([this.migrationMaxMs, ms]);
  }

  /** A new connection in `slot` for a lost one; on failure the next operation fails and tries again. */
  private async reconnect(slot: number): Promise<void> {
    await this.clients[slot]!.end().catch(() => undefined);
    this.clients[slot] = await trafficConnection(this.url, this.workload.application).catch(() => this.clients[slot]!);
  }

  /**
   * The longest any operation was held inside the window [from, to] (performance.now() times): the
   * part of each one's wait that fell in the window, those still waiting counted up to now.
   * Undefined when no operation overlapped it.
   */
  heldWithin(from: number, to: number, now = performance.now()): number | undefined {
    const waiting = [...this.inFlight.values()].map((t0) => Math.min(now, to) - Math.max(t0, from)).filter((ms) => ms >= 0);
    return maxOf([this.log.longestWithin(from, to), ...waiting]);
  }

  /**
   * The traffic's health right now: p99 of the operations that finished in the last second, or the
   * age of the oldest one still waiting if that is worse (a blocked operation has no latency yet).
   */
  recentP99Ms(now = performance.now()): number {
    const recent = this.log.percentileSince(now - RECENT_WINDOW_MS, 99) ?? 0;
    const waiting = maxOf([...this.inFlight.values()].map((t0) => now - t0)) ?? 0;
    return Math.max(recent, waiting);
  }

  async stop(): Promise<TrafficStats> {
    this.running = false;
    await Promise.all(this.loops);
    return {
      ops: this.log.count,
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

/** A traffic connection: a statement stuck past a minute is an error, not a hang. */
async function trafficConnection(url: string, application: string): Promise<pg.Client> {
  const c = await connect(url, application, { instrument: true });
  await c.query('SET statement_timeout = 60000');
  return c;
}

/** Whatever can tell the writers' recent p99: the probe, the bench case that owns one, a canary. */
export interface WriterHealth {
  recentP99Ms(): number | Promise<number>;
}

/** A bench case's simulated writers or readers, as the measured operation and its caller see them. */
export interface CaseTraffic extends WriterHealth {
  /** See TrafficProbe.heldWithin; undefined without traffic. */
  heldWithin(from: number, to: number): number | undefined;
  /** What the failed operations said, over every run so far (see TrafficStats.errorMessages). */
  errorMessages(): string[];
}

/** Health signal for throttleWhile(): the writers' recent p99 (see recentP99Ms), against `limitMs`. */
export function writerSignal(health: WriterHealth, limitMs: number): HealthSignal {
  return { name: 'writer p99', limit: limitMs, read: async () => health.recentP99Ms() };
}

/** A table the simulated application works on, and the workload it runs there. */
export interface TrafficTarget {
  sql: string;
  workload: Workload;
}

/**
 * The application on several tables at once: a TrafficProbe per table, read as one (an operation
 * held on any table is an operation held).
 */
export class TrafficSet {
  private constructor(
    private readonly probes: TrafficProbe[],
    private readonly sampler: WaitSampler | undefined,
  ) {}

  /** Traffic on each target; with `explainSlow`, a wait sampler watching it so that every slow operation gets its cause. */
  static async open(url: string, targets: TrafficTarget[], options: TrafficOptions, explainSlow: boolean): Promise<TrafficSet> {
    const sampler = explainSlow ? await WaitSampler.open(url) : undefined;
    const explain: ExplainOp | undefined = sampler && ((pid, from, to) => explainWait(pid, sampler.within(from, to)));
    return new TrafficSet(await Promise.all(targets.map((t) => TrafficProbe.open(url, t.sql, t.workload, options, explain))), sampler);
  }

  /** The same tables, rebuilt under new names (one per probe, in order). */
  retarget(targets: readonly { sql: string }[]): void {
    for (const [i, p] of this.probes.entries()) p.retarget(targets[i]!.sql);
  }

  async start(): Promise<void> {
    await Promise.all(this.probes.map((p) => p.start()));
    this.sampler?.start(() => this.probes.flatMap((p) => p.pids()));
  }

  async stop(): Promise<TrafficStats> {
    const all = await Promise.all(this.probes.map((p) => p.stop()));
    await this.sampler?.stop();
    // A probe's slowest operation is the one its maxCause explains.
    const slowest = all.filter((s) => s.maxCause).sort((a, b) => b.maxMs! - a.maxMs!)[0];
    const worst = (pick: (s: TrafficStats) => number | undefined) => maxOf(all.map(pick));
    const sum = (pick: (s: TrafficStats) => number) => all.reduce((n, s) => n + pick(s), 0);
    return {
      ops: sum((s) => s.ops),
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
    await this.sampler?.close();
  }
}
