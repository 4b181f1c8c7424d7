import type pg from 'pg';
import { Bench } from 'tinybench';
import { mean } from '../core/numbers.js';
import { withClient } from '../db/connect.js';
import { treeMembers } from '../engine/relations.js';
import { dropTables } from '../fixtures/cleanup.js';
import type { CaseFigures } from '../results/row.js';
import { rmePct } from '../results/stats.js';
import type { CaseTable, CaseTableSource } from './case-table.js';
import type { ProbeCapabilities } from './capabilities.js';
import { locksHeld } from './locks.js';
import { openCaseProbes, type RunFigures } from './probes/index.js';
import type { ProbeSet } from './probes/probe-set.js';
import type { ReplicaLagReader } from './replica-lag.js';
import type { Reporter } from './reporter.js';
import type { StandbyReader } from './standby-reader.js';
import type { CaseTraffic } from './traffic-probe.js';

/** A cap on --rme's iterations, whatever the budget. */
const MAX_ITERATIONS = 30;
const DEFAULT_CASE_BUDGET_MS = 120_000;

/** The connections and readers a measured case uses, and the few options that change how. */
export interface MeasureContext {
  url: string;
  /** Runs the measured operations. */
  client: pg.Client;
  /** Reads statistics and locks beside them. */
  observer: pg.Client;
  reporter: Reporter;
  /** Replica lag as the primary sees it; read only with options.standby. */
  lag: ReplicaLagReader;
  /** The report query on the standby (--standby-query). */
  standbyReader?: StandbyReader;
  /** What the role may do for the probes; the rest is off, said once. */
  capabilities: ProbeCapabilities;
  options: {
    /** Simulated application writers beside every case. */
    writers: boolean;
    /** Simulated application readers beside them, wherever writers run. */
    readers: boolean;
    /** Connections of each per table, where not the defaults. */
    connections?: { writers?: number; readers?: number };
    standby: boolean;
    /** Go on iterating until the relative margin of error (%) is this small... */
    rmeTarget?: number;
    /** ...or the case has taken this long, setup included (default 2 minutes). */
    maxCaseMs?: number;
  };
}

/** What an iteration's operation reports: RunFigures, and anything the caller wants back (`detail`). */
export interface RunReport<D> extends RunFigures {
  detail?: D;
}

export interface CaseSpec<D = never> {
  label: string;
  table: CaseTableSource;
  rows: number;
  iterations: number;
  /** Extra preparation after the table is loaded, outside the timed window. */
  prepare?: (table: CaseTable) => Promise<void>;
  /** The measured operation; `writers` tells the simulated writers' health as it runs. */
  run: (table: CaseTable, writers: CaseTraffic) => Promise<RunReport<D> | void>;
  /** Run between BEGIN and COMMIT: the locks it took are read exactly before COMMIT. Otherwise
   *  pg_locks is polled while it runs, unless `runReportsLocks`: it returns them itself. */
  inTransaction?: boolean;
  runReportsLocks?: boolean;
  /** Simulated writers beside the operation (default: as the context's options say). */
  writers?: boolean;
}

/** Timing statistics, probe figures and setup time of one case, over its iterations. */
export type MeasuredFigures = Omit<CaseFigures, 'suite' | 'case'>;

export interface MeasuredCase<D> {
  figures: MeasuredFigures;
  /** The writers' full record, readable after the case (every write a lock held has its latency). */
  writers: CaseTraffic;
  /** The readers' likewise; nothing held when they did not run. */
  readers: CaseTraffic;
  /** Each iteration's `detail`, in order. */
  details: D[];
}

/**
 * One case as a tinybench task with exactly N iterations and no warm-up: the table is rebuilt in
 * beforeEach (outside the timed window), the operation alone is timed, and the case's probes
 * (./probes) run beside it.
 */
export async function measureCase<D = never>(ctx: MeasureContext, spec: CaseSpec<D>): Promise<MeasuredCase<D>> {
  // A case that wants no traffic (its operation is the load itself) gets neither writers nor readers.
  const traffic = spec.writers !== false;
  const targets = (t: CaseTable) => spec.table.writeTo(t);
  const { probes, writers, readers } = await openCaseProbes({
    url: ctx.url,
    op: ctx.client,
    observer: ctx.observer,
    capabilities: ctx.capabilities,
    writers: traffic && ctx.options.writers ? targets : undefined,
    readers: traffic && ctx.options.readers ? targets : undefined,
    connections: ctx.options.connections,
    pollLocks: !spec.inTransaction && !spec.runReportsLocks,
    lag: ctx.options.standby ? ctx.lag : undefined,
    standbyReader: ctx.standbyReader,
  });
  const run = new CaseRun(ctx, spec, probes, writers);
  try {
    await run.bench().run();
  } finally {
    await probes.close();
    await run.dropLeftover();
  }
  return { figures: run.figures(), writers, readers, details: run.details };
}

/** The state of one case over its iterations: tinybench's hooks and task are its methods. */
class CaseRun<D> {
  readonly details: D[] = [];
  private readonly setupMs: number[] = [];
  private readonly samples: number[] = [];
  private readonly started = performance.now();
  private readonly enough = new AbortController();
  private task?: Bench['tasks'][number];
  private table?: CaseTable;
  /** The table this case made and has not dropped yet: dropped on a connection of its own if the case fails. */
  private made?: string;
  private iteration = 0;

  constructor(
    private readonly ctx: MeasureContext,
    private readonly spec: CaseSpec<D>,
    private readonly probes: ProbeSet,
    private readonly writers: CaseTraffic,
  ) {}

  /** With --rme, iterations go on past spec.iterations until the mean is that sure or the case's
   *  time budget is spent; the CSV's iterations column says how many it took. */
  bench(): Bench {
    const { rmeTarget } = this.ctx.options;
    const bench = new Bench({ time: 0, iterations: rmeTarget === undefined ? this.spec.iterations : MAX_ITERATIONS, warmup: false, throws: true, signal: this.enough.signal });
    bench.add(this.spec.label, () => this.measure(), { beforeEach: () => this.prepare(), afterEach: () => this.finish() });
    this.task = bench.tasks[0];
    return bench;
  }

  /** beforeEach: the iteration's table, settled, prepared, and the probes ready on it. */
  private async prepare(): Promise<void> {
    const { client, reporter, capabilities } = this.ctx;
    this.iteration += 1;
    this.table = undefined;
    reporter.caseStarted(`${this.spec.label} (${this.iteration}/${this.spec.iterations})`);
    const t0 = performance.now();
    const { name, sql } = await this.spec.table.load(client, this.spec.rows);
    if (this.spec.table.owned) this.made = name;
    // Settle it as a live table is: autovacuum would otherwise pick the freshly loaded rows
    // up during the measured operation, and DDL would queue writers behind its lock wait.
    await client.query(`VACUUM (ANALYZE) ${sql}`);
    this.setupMs.push(performance.now() - t0);
    const oid = (await client.query<{ oid: number }>('SELECT $1::regclass::oid::int AS oid', [sql])).rows[0]!.oid;
    const relations = this.spec.table.relations ? await this.spec.table.relations(client, oid) : (await treeMembers(client, oid)).map((m) => m.oid);
    this.table = { name, sql, oid, relations };
    await this.spec.prepare?.(this.table);
    if (capabilities.checkpoint) await client.query('CHECKPOINT');
    await this.probes.prepare(this.table);
  }

  /** The timed task: the operation alone, then the probes stopped (outside the timing). */
  private async measure(): Promise<{ overriddenDuration: number }> {
    const { client } = this.ctx;
    const table = this.table!;
    await this.probes.start();
    const t0 = performance.now();
    let report: RunReport<D> | void;
    let held: string[] | undefined;
    if (this.spec.inTransaction) {
      await client.query('BEGIN');
      report = await this.spec.run(table, this.writers);
      held = await locksHeld(client, table.relations);
      await client.query('COMMIT');
    } else {
      report = await this.spec.run(table, this.writers);
    }
    const ms = performance.now() - t0;
    this.samples.push(ms);
    await this.probes.stop({ ...report, locks: held ?? report?.locks ?? [] });
    if (report?.detail !== undefined) this.details.push(report.detail);
    return { overriddenDuration: ms };
  }

  /** afterEach (tinybench runs it after a failed beforeEach too: then there is no table, and the failure is what counts). */
  private async finish(): Promise<void> {
    if (!this.table) return;
    if (this.made) await dropTables(this.ctx.client, [this.made]);
    this.made = undefined;
    this.ctx.reporter.caseDone();
    const { rmeTarget, maxCaseMs = DEFAULT_CASE_BUDGET_MS } = this.ctx.options;
    if (rmeTarget !== undefined && this.samples.length >= this.spec.iterations) {
      const rme = rmePct(this.samples);
      if ((rme !== undefined && rme <= rmeTarget) || performance.now() - this.started >= maxCaseMs) this.enough.abort();
    }
  }

  /** A failed case (its connection killed, say) leaves no table: the case's own connection may be gone. */
  async dropLeftover(): Promise<void> {
    const made = this.made;
    if (made) await withClient(this.ctx.url, (c) => dropTables(c, [made])).catch(() => undefined);
  }

  figures(): MeasuredFigures {
    const result = this.task!.result;
    if (result.state !== 'completed' && result.state !== 'aborted-with-statistics') throw new Error(`${this.spec.label}: benchmark ${result.state}`);
    const l = result.latency;
    const { capabilities } = this.ctx;
    return {
      rows: this.spec.rows,
      iterations: l.samplesCount,
      mean_ms: l.mean,
      p50_ms: l.p50,
      p99_ms: l.p99,
      min_ms: l.min,
      max_ms: l.max,
      rme_pct: l.samplesCount > 1 ? l.rme : undefined,
      rows_per_sec: this.spec.rows / (l.mean / 1000),
      setup_ms: mean(this.setupMs),
      ...this.probes.figures(),
      probes_off: capabilities.off.length ? capabilities.off.map((o) => o.split(' (')[0]).join('; ') : undefined,
    };
  }
}
