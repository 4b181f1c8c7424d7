import { Bench } from 'tinybench';
import { quoteIdent } from '../src/core/identifiers.js';
import { treeMembers } from '../src/engine/relations.js';
import { withClient } from '../src/db/connect.js';
import { dropTables } from '../src/fixtures/cleanup.js';
import { loadTable } from '../src/fixtures/copy-loader.js';
import type { Shape } from '../src/fixtures/shapes.js';
import { uniqueTableName } from '../src/fixtures/table-names.js';
import { CaseProbes, type ProbeTable } from '../src/measure/case-probes.js';
import { locksHeld } from '../src/measure/locks.js';
import { maxOf, mean } from '../src/core/numbers.js';
import { rmePct } from '../src/results/stats.js';
import { tableBytes } from '../src/measure/table-stats.js';
import { WorkCounters } from '../src/measure/work-counters.js';
import type { CaseWriters, WriterShape, WriteTarget } from '../src/measure/writer-probe.js';
import type { CaseFigures } from '../src/results/row.js';
import type { CaseContext } from './types.js';

export type CaseTable = ProbeTable;

/** A cap on --rme's iterations, whatever the budget. */
const MAX_ITERATIONS = 30;
const DEFAULT_CASE_BUDGET_MS = 120_000;

/** What a case needs of its table's shape: a name for fresh tables, and what writers write. */
export type CaseShape = WriterShape & { name: string };
const isFixtureShape = (s: CaseShape): s is Shape => 'columnsSql' in s;

export interface CaseSpec {
  label: string;
  /** A fixture shape (COPY-loaded by default), or any shape the simulated writers can write when `load` fills the table. */
  shape: CaseShape;
  rows: number;
  iterations: number;
  /** Extra preparation after the table is loaded, outside the timed window. */
  prepare?: (table: CaseTable) => Promise<void>;
  /** The measured operation; `writers` tells the simulated writers' health as it runs. With
   *  `inTransaction`, it runs between BEGIN and COMMIT and the locks it took are read exactly
   *  before COMMIT; otherwise pg_locks is polled while it runs. */
  run: (table: CaseTable, writers: CaseWriters) => Promise<void | RunFigures>;
  /** After each iteration's writers have stopped, outside the timed window: their full record of it. */
  afterRun?: (writers: CaseWriters) => void;
  inTransaction?: boolean;
  /** How to make the (empty or full) table; default: COPY the rows, primary key after. */
  load?: (table: string) => Promise<void>;
  /** The case's table as quoted SQL, when `load` fills a table of the user's rather than a fresh
   *  pgmb_ one (`pgmb try`); such a table is the caller's to drop. */
  tableSql?: string;
  /** Every relation whose locks and statistics count (default: the table and its partitions). */
  relations?: (table: { name: string; oid: number }) => Promise<number[]>;
  /** `run` reads the locks itself and returns them (RunFigures.locks): pg_locks is not polled beside it. */
  runReportsLocks?: boolean;
  /** Simulated writers beside the operation (default: as the bench options say). */
  writers?: boolean;
  /** The tables they write (default: the case's table, rows of `shape`). */
  writeTo?: (table: CaseTable) => WriteTarget[];
}

/** What an engine backfill reports of one iteration. */
export interface RunFigures {
  throttledMs?: number;
  /** NULLs the backfill counted after its sweep. */
  nullsLeft?: number;
  /** Rows of its largest batch. */
  largestBatch?: number;
  /** Table locks the operation took, as it saw them (statement by statement, say). */
  locks?: string[];
}

/** Timing statistics, probe figures and setup time of one case, over its iterations. */
export type MeasuredFigures = Omit<CaseFigures, 'suite' | 'case'>;

/**
 * One case as a tinybench task with exactly N iterations and no warm-up: the table is rebuilt
 * with COPY in beforeEach (outside the timed window), the operation alone is timed, and the
 * case's probes (src/measure) run beside it.
 */
export async function measureCase(ctx: CaseContext, spec: CaseSpec): Promise<MeasuredFigures> {
  const { client, options } = ctx;
  const probes = await CaseProbes.open({
    url: ctx.url,
    op: client,
    observer: ctx.observer,
    writers: options.writers && spec.writers !== false ? (t) => spec.writeTo?.(t) ?? [{ sql: t.sql, shape: spec.shape }] : undefined,
    pollLocks: !spec.inTransaction && !spec.runReportsLocks,
    lag: options.standby ? ctx.lag : undefined,
    standbyReader: ctx.standbyReader,
    flushStats: ctx.capabilities.flushStats,
  });
  const work = WorkCounters.open(ctx.observer, ctx.capabilities.workCounters);
  const setupMs: number[] = [];
  let throttledMs = 0;
  const nullsLeft: number[] = [];
  const bytes = { before: [] as number[], after: [] as number[], compact: [] as number[] };
  const largestBatch: number[] = [];
  let table: CaseTable | undefined;
  /** The table this case made and has not dropped yet: dropped on a connection of its own if the case fails. */
  let made: string | undefined;
  let iteration = 0;

  // With --rme, iterations go on past spec.iterations until the mean is that sure or the case's
  // time budget is spent; the CSV's iterations column says how many it took.
  const { rmeTarget, maxCaseMs = DEFAULT_CASE_BUDGET_MS } = options;
  const samples: number[] = [];
  const caseStart = performance.now();
  const enough = new AbortController();
  const bench = new Bench({ time: 0, iterations: rmeTarget === undefined ? spec.iterations : MAX_ITERATIONS, warmup: false, throws: true, signal: enough.signal });
  bench.add(
    spec.label,
    async () => {
      await probes.start();
      await work?.start();
      const t0 = performance.now();
      let held: string[];
      if (spec.inTransaction) {
        await client.query('BEGIN');
        await spec.run(table!, probes);
        held = await locksHeld(client, table!.relations);
        await client.query('COMMIT');
      } else {
        const f = await spec.run(table!, probes);
        held = f?.locks ?? [];
        throttledMs += f?.throttledMs ?? 0;
        if (f?.nullsLeft !== undefined) nullsLeft.push(f.nullsLeft);
        if (f?.largestBatch !== undefined) largestBatch.push(f.largestBatch);
      }
      const ms = performance.now() - t0;
      samples.push(ms);
      await work?.stop();
      await probes.stop(held);
      spec.afterRun?.(probes);
      bytes.after.push(await tableBytes(client, table!.relations));
      return { overriddenDuration: ms };
    },
    {
      beforeEach: async () => {
        iteration += 1;
        table = undefined;
        ctx.reporter.caseStarted(`${spec.label} (${iteration}/${spec.iterations})`);
        const name = spec.tableSql ?? uniqueTableName(spec.shape.name);
        const sql = spec.tableSql ?? quoteIdent(name);
        const t0 = performance.now();
        if (!spec.tableSql) made = name;
        if (spec.load) await spec.load(name);
        else if (isFixtureShape(spec.shape)) await loadTable(client, name, spec.shape, spec.rows, { primaryKey: 'after' });
        else throw new Error(`${spec.label}: a case whose shape is not a fixture shape needs its own load()`);
        // Settle it as a live table is: autovacuum would otherwise pick the freshly loaded rows
        // up during the measured operation, and DDL would queue writers behind its lock wait.
        await client.query(`VACUUM (ANALYZE) ${sql}`);
        setupMs.push(performance.now() - t0);
        const oid = (await client.query<{ oid: number }>('SELECT $1::regclass::oid::int AS oid', [sql])).rows[0]!.oid;
        const relations = spec.relations ? await spec.relations({ name, oid }) : (await treeMembers(client, oid)).map((m) => m.oid);
        table = { name, sql, oid, relations };
        await spec.prepare?.(table);
        bytes.before.push(await tableBytes(client, table.relations));
        if (ctx.capabilities.checkpoint) await client.query('CHECKPOINT');
        await probes.prepare(table);
      },
      afterEach: async () => {
        // tinybench runs this after a failed beforeEach too: there is no table, and the failure is what counts.
        if (!table) return;
        // What the rows take when packed: the floor a migration's growth is measured against. By oid:
        // a user's migration may have renamed the table (or dropped it: then there is no floor).
        const now = (await client.query<{ sql: string | null }>('SELECT $1::oid::regclass::text AS sql FROM pg_class WHERE oid = $1', [table.oid])).rows[0]?.sql;
        if (now) {
          await client.query(`VACUUM FULL ${now}`);
          bytes.compact.push(await tableBytes(client, table.relations));
        }
        if (!spec.tableSql) await dropTables(client, [table.name]);
        made = undefined;
        ctx.reporter.caseDone();
        if (rmeTarget !== undefined && samples.length >= spec.iterations) {
          const rme = rmePct(samples);
          if ((rme !== undefined && rme <= rmeTarget) || performance.now() - caseStart >= maxCaseMs) enough.abort();
        }
      },
    },
  );
  try {
    await bench.run();
  } finally {
    await probes.close();
    // A failed case (its connection killed, say) leaves no table: the case's own connection may be gone.
    if (made) await withClient(ctx.url, (c) => dropTables(c, [made!])).catch(() => undefined);
  }
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed' && result.state !== 'aborted-with-statistics') throw new Error(`${spec.label}: benchmark ${result.state}`);
  const l = result.latency;
  return {
    rows: spec.rows,
    iterations: l.samplesCount,
    mean_ms: l.mean,
    p50_ms: l.p50,
    p99_ms: l.p99,
    min_ms: l.min,
    max_ms: l.max,
    rme_pct: l.samplesCount > 1 ? l.rme : undefined,
    rows_per_sec: spec.rows / (l.mean / 1000),
    setup_ms: mean(setupMs),
    throttled_ms: throttledMs > 0 ? throttledMs / l.samplesCount : undefined,
    nulls_left: maxOf(nullsLeft),
    largest_batch: maxOf(largestBatch),
    table_bytes_before: mean(bytes.before),
    table_bytes_after: mean(bytes.after),
    table_bytes_compact: mean(bytes.compact),
    growth: bytes.compact.length === bytes.after.length ? mean(bytes.after.map((a, i) => a / Math.max(1, bytes.compact[i]!))) : undefined,
    ...probes.figures(),
    ...work?.figures(),
    probes_off: ctx.capabilities.off.length ? ctx.capabilities.off.map((o) => o.split(' (')[0]).join('; ') : undefined,
  };
}
