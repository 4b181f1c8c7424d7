import { Bench } from 'tinybench';
import { quoteIdent } from '../src/engine/identifiers.js';
import { dropTables } from '../src/fixtures/cleanup.js';
import { loadTable } from '../src/fixtures/copy-loader.js';
import type { Shape } from '../src/fixtures/shapes.js';
import { uniqueTableName } from '../src/fixtures/table-names.js';
import { LockWatcher, locksHeld, strongestLock } from '../src/measure/locks.js';
import { snapshotTable, tableChange } from '../src/measure/table-stats.js';
import { WriterProbe } from '../src/measure/writer-probe.js';
import { LagSampler } from '../src/measure/replica-lag.js';

/** How long the writers run alone on each case's first table, as the baseline. */
const BASELINE_MS = 1000;
import type { CaseFigures } from '../src/results/row.js';
import type { SuiteContext } from './types.js';

export interface CaseTable {
  name: string;
  oid: number;
}

export interface CaseSpec {
  label: string;
  shape: Shape;
  rows: number;
  iterations: number;
  /** Extra preparation after the table is loaded, outside the timed window. */
  prepare?: (table: CaseTable) => Promise<void>;
  /** The measured operation. With `inTransaction`, it runs between BEGIN and COMMIT and the
   *  locks it took are read exactly before COMMIT; otherwise pg_locks is polled while it runs. */
  run: (table: CaseTable) => Promise<void | { throttledMs?: number }>;
  inTransaction?: boolean;
  /** Setup method of the table: primary key after the load (fast) unless told otherwise. */
  load?: (table: string) => Promise<void>;
  /** Simulated writers beside the operation (default: as the bench options say). */
  writers?: boolean;
}

/** Timing statistics, probe figures and setup time of one case, over its iterations. */
export type MeasuredFigures = Omit<CaseFigures, 'suite' | 'case'>;

/**
 * One case as a tinybench task with exactly N iterations and no warm-up: the table is rebuilt
 * with COPY in beforeEach (outside the timed window), the operation alone is timed, and probes
 * (table stats, locks, simulated writers) run beside it.
 */
export async function measureCase(ctx: SuiteContext, spec: CaseSpec): Promise<MeasuredFigures> {
  const { client, observer, url } = ctx;
  const setupMs: number[] = [];
  const dead: number[] = [];
  const wal: number[] = [];
  const locks: string[] = [];
  const writerP99: number[] = [];
  const writerMax: number[] = [];
  let rewritten = false;
  let writerBlocked = 0;
  let throttledMs = 0;
  let table: CaseTable | undefined;
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const watcher = spec.inTransaction ? undefined : await LockWatcher.open(url);
  let writers: WriterProbe | undefined;
  let writerBaselineP99: number | undefined;
  const lagSampler = new LagSampler(ctx.lag);
  const lagMs: number[] = [];
  const lagBytes: number[] = [];
  const withWriters = ctx.options.writers && spec.writers !== false;
  let iteration = 0;

  const bench = new Bench({ time: 0, iterations: spec.iterations, warmup: false, throws: true });
  bench.add(
    spec.label,
    async () => {
      const t = table!;
      const before = await snapshotTable(observer, client, t.oid);
      await writers?.start();
      watcher?.start(pid, t.oid);
      if (ctx.options.standby) lagSampler.start();
      const t0 = performance.now();
      if (spec.inTransaction) {
        await client.query('BEGIN');
        await spec.run(t);
        locks.push(...(await locksHeld(client, t.oid)));
        await client.query('COMMIT');
      } else {
        const out = await spec.run(t);
        throttledMs += out?.throttledMs ?? 0;
      }
      const ms = performance.now() - t0;
      if (ctx.options.standby) {
        const lag = await lagSampler.stop();
        lagMs.push(lag.ms);
        lagBytes.push(lag.bytes);
      }
      const seen = await watcher?.stop();
      if (seen) locks.push(seen);
      const w = await writers?.stop();
      if (w?.p99Ms !== undefined) writerP99.push(w.p99Ms);
      if (w?.maxMs !== undefined) writerMax.push(w.maxMs);
      writerBlocked += w?.blocked ?? 0;
      const change = await tableChange(observer, before, await snapshotTable(observer, client, t.oid));
      dead.push(change.deadTuples);
      wal.push(change.walBytes);
      rewritten ||= change.rewritten;
      return { overriddenDuration: ms };
    },
    {
      beforeEach: async () => {
        iteration += 1;
        ctx.reporter.caseStarted(`${spec.label} (${iteration}/${spec.iterations})`);
        const name = uniqueTableName(spec.shape.name);
        const t0 = performance.now();
        if (spec.load) await spec.load(name);
        else await loadTable(client, name, spec.shape, spec.rows, { primaryKey: 'after' });
        setupMs.push(performance.now() - t0);
        const oid = (await client.query<{ oid: number }>('SELECT $1::regclass::oid::int AS oid', [quoteIdent(name)])).rows[0]!.oid;
        table = { name, oid };
        await spec.prepare?.(table);
        await client.query('CHECKPOINT');
        if (withWriters && !writers) {
          // The baseline: the same writers on the same fresh table with no migration running.
          writers = await WriterProbe.open(url, name, spec.shape);
          await writers.start();
          await new Promise((r) => setTimeout(r, BASELINE_MS));
          writerBaselineP99 = (await writers.stop()).p99Ms;
        }
        writers?.retarget(name);
      },
      afterEach: async () => {
        await dropTables(client, [table!.name]);
        ctx.reporter.caseDone();
      },
    },
  );
  try {
    await bench.run();
  } finally {
    await watcher?.close();
    await writers?.close();
  }
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(`${spec.label}: benchmark ${result.state}`);
  const l = result.latency;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
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
    dead_tuples: mean(dead),
    wal_bytes: mean(wal),
    table_rewritten: rewritten,
    lock_mode: strongestLock(locks),
    writer_p99_ms: writerP99.length ? Math.max(...writerP99) : undefined,
    writer_max_ms: writerMax.length ? Math.max(...writerMax) : undefined,
    writer_blocked: withWriters ? writerBlocked : undefined,
    throttled_ms: throttledMs > 0 ? throttledMs / l.samplesCount : undefined,
    writer_baseline_p99_ms: writerBaselineP99,
    replica_lag_max_ms: lagMs.length ? Math.max(...lagMs) : undefined,
    replica_lag_max_bytes: lagBytes.length ? Math.max(...lagBytes) : undefined,
  };
}
