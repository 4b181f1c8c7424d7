import Table from 'cli-table3';
import { connect } from '../src/db/connect.js';
import { withDatabase } from '../src/db/launcher.js';
import { createReporter } from '../src/cli/progress-view.js';
import { appendCsv, formatCell } from '../src/results/csv.js';
import { runMetadata } from '../src/results/metadata.js';
import { toRow, type CsvRow, type Suite } from '../src/results/row.js';
import { startStandby } from '../src/db/standby.js';
import { InvalidOptionError } from '../src/engine/errors.js';
import { seesReplicationStats } from '../src/engine/index.js';
import { probeCapabilities } from '../src/measure/capabilities.js';
import { ReplicaLagReader } from '../src/measure/replica-lag.js';
import { StandbyReader } from '../src/measure/standby-reader.js';
import { backfillSuite } from './backfill.js';
import { checkDisk } from './disk.js';
import { ddlSuite } from './ddl.js';
import { indexSuite } from './index-suite.js';
import { setupSuite } from './setup.js';
import type { BenchOptions, BenchSuite } from './types.js';

const SUITES: Record<Suite, BenchSuite> = { setup: setupSuite, backfill: backfillSuite, index: indexSuite, ddl: ddlSuite };

/** The seed's TestBackfillLargeDataset_1MillionRows expectation and its failure line. */
export const SEED_EXPECTED_S = 400;
export const SEED_FAIL_S = 800;

/** `--profile seed`: the seed's exact policy, one run of 1M rows, batches of 5,000, 1 s sleep. */
export function applyProfile(options: BenchOptions): BenchOptions {
  if (options.profile !== 'seed') return options;
  return { ...options, suites: ['backfill'], sizes: [1_000_000], strategies: ['classic'], batchSize: 5000, delayMs: 1000, iterations: 1, workers: 1, partitions: [0] };
}

/** Run the chosen suites on one database, append every row to the CSV, return the rows. */
export async function runBench(input: BenchOptions, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<CsvRow[]> {
  const options = applyProfile(input);
  return withDatabase(async ({ url, embedded }) => {
    if (options.standby && !embedded) {
      throw new InvalidOptionError('--standby', 'starts a standby of the embedded server only; with a URL, give your server its own standbys (their lag is read from pg_stat_replication)');
    }
    log(checkDisk(options, embedded?.dataDir));
    const standby = options.standby ? await startStandby(embedded!) : undefined;
    if (standby) log(`standby: streaming from the embedded primary (slot ${standby.slot})`);
    const client = await connect(url, 'pgmb-bench');
    const observer = await connect(url, 'pgmb-observer', { instrument: true });
    const lagClient = await connect(url, 'pgmb-lag', { instrument: true });
    const lag = new ReplicaLagReader(lagClient);
    const standbyReader = standby && options.standbyQueryMs ? new StandbyReader(standby.url, lagClient, options.standbyQueryMs) : undefined;
    const reporter = createReporter(options.suites.reduce((n, s) => n + SUITES[s].plannedIterations(options), 0));
    const all: CsvRow[] = [];
    try {
      if (options.maxLagMs !== undefined && !(await seesReplicationStats(lagClient))) {
        throw new InvalidOptionError('--max-lag', "standbys' replay lag is not visible to this role: GRANT pg_monitor to it, or leave --max-lag out");
      }
      const capabilities = await probeCapabilities(client);
      if (capabilities.off.length) reporter.log(`probes off for this role: ${capabilities.off.join('; ')}`);
      const meta = await runMetadata(client);
      for (const name of options.suites) {
        const rows = (await SUITES[name].run({ url, client, observer, options, reporter, lag, standbyReader, capabilities })).map((f) => toRow(meta, f));
        appendCsv(options.out, rows); // after each suite, so an interrupted run keeps what it measured
        all.push(...rows);
      }
    } finally {
      reporter.stop();
      await standbyReader?.close();
      if (standbyReader?.cancelled) log(`standby: ${standbyReader.cancelled} report queries were cancelled by replay conflicts`);
      await Promise.all([client, observer, lagClient].map((c) => c.end()));
      await standby?.stop();
    }
    log(summaryTable(all));
    log(safetyTable(all));
    if (options.profile === 'seed') log(seedComparison(all));
    log(`wrote ${all.length} rows to ${options.out}`);
    return all;
  });
}

/**
 * Did an operation hurt the application? From the simulated writers: a write over 1 s is
 * "blocked". A write that waited about as long as the whole operation took, and 10x the baseline
 * p99 (over 20 ms), was stopped by the operation's lock, not slowed by its load: "blocked (whole
 * operation)", a harm that grows with the table. A worst write over 100 ms and 10x the baseline
 * p99 is "slowed".
 */
export function writerVerdict(row: CsvRow): string | undefined {
  const max = typeof row.writer_max_ms === 'number' ? row.writer_max_ms : undefined;
  if (max === undefined) return undefined;
  const baseline = typeof row.writer_baseline_p99_ms === 'number' ? row.writer_baseline_p99_ms : 1;
  const operation = typeof row.mean_ms === 'number' ? row.mean_ms : Infinity;
  if (Number(row.writer_blocked) > 0 || max >= 1000) return 'BLOCKED writers';
  if (max > 20 && max > 10 * baseline && max >= 0.7 * operation) return 'BLOCKED writers (whole operation)';
  if (max > 100 && max > 10 * baseline) return 'slowed writers';
  return 'no harm seen';
}

export function safetyTable(rows: CsvRow[]): string {
  const table = new Table({ head: ['safety (measured)', 'strategy', 'rows', 'writer max ms', 'baseline p99 ms', 'blocked', 'verdict'], style: { head: [], border: [] } });
  for (const r of rows) {
    const verdict = writerVerdict(r);
    if (!verdict || r.suite === 'setup') continue;
    const ms = (v: unknown) => (typeof v === 'number' ? v.toFixed(1) : '');
    table.push([`${r.suite} ${r.case}${r.partitions ? ` (${r.partitions} partitions)` : ''}`, formatCell(r.strategy), formatCell(r.rows), ms(r.writer_max_ms), ms(r.writer_baseline_p99_ms), formatCell(r.writer_blocked), verdict]);
  }
  return table.toString();
}

export function summaryTable(rows: CsvRow[]): string {
  const table = new Table({
    head: ['suite', 'case', 'strategy', 'rows', 'part.', 'mean ms', 'rme %', 'rows/s', 'lock', 'rewrite', 'writer max ms', 'blocked', 'largest batch', 'NULLs left'],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    table.push(
      [r.suite, r.case, r.strategy, r.rows, r.partitions, r.mean_ms, r.rme_pct, r.rows_per_sec, r.lock_mode, r.table_rewritten, r.writer_max_ms, r.writer_blocked, r.largest_batch, r.nulls_left].map(
        (v) => (typeof v === 'number' ? formatCell(Math.round(v * 10) / 10) : formatCell(v)),
      ),
    );
  }
  return table.toString();
}

function seedComparison(rows: CsvRow[]): string {
  const classic = rows.find((r) => r.strategy === 'classic');
  if (!classic || typeof classic.mean_ms !== 'number') return 'seed profile: no classic row measured';
  const s = classic.mean_ms / 1000;
  const verdict = s <= SEED_FAIL_S ? 'within' : 'OVER';
  return (
    `seed profile: 1,000,000 rows, batches of 5,000, 1 s sleep: ${s.toFixed(1)} s measured, ` +
    `${Math.round(Number(classic.rows_per_sec))} rows/s; the seed expects ~${SEED_EXPECTED_S} s (~2,500 rows/s) ` +
    `and fails over ${SEED_FAIL_S} s: ${verdict} the line`
  );
}
