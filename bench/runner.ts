import { connect } from '../src/db/connect.js';
import { withDatabase } from '../src/db/launcher.js';
import { appendCsv } from '../src/results/csv.js';
import { runMetadata } from '../src/results/metadata.js';
import { toRow, type CsvRow, type Suite } from '../src/results/row.js';
import { startStandby } from '../src/db/standby.js';
import { InvalidOptionError } from '../src/core/errors.js';
import { seesReplicationStats } from '../src/engine/index.js';
import { probeCapabilities } from '../src/measure/capabilities.js';
import { ReplicaLagReader } from '../src/measure/replica-lag.js';
import { silentReporter, type ReporterFactory } from '../src/measure/reporter.js';
import { StandbyReader } from '../src/measure/standby-reader.js';
import { backfillSuite } from './backfill.js';
import { checkDisk } from './disk.js';
import { ddlSuite } from './ddl.js';
import { indexSuite } from './index-suite.js';
import { setupSuite } from './setup.js';
import { seedComparison, summary } from './summary.js';
import type { BenchOptions, BenchSuite } from './types.js';

/** The suites, by the CSV's suite name: a new suite is a file and a line here. */
export const BENCH_SUITES: Record<Suite, BenchSuite> = { setup: setupSuite, backfill: backfillSuite, index: indexSuite, ddl: ddlSuite };

/** `--profile seed`: the seed's exact policy, one run of 1M rows, batches of 5,000, 1 s sleep. */
export function applyProfile(options: BenchOptions): BenchOptions {
  if (options.profile !== 'seed') return options;
  return { ...options, suites: ['backfill'], sizes: [1_000_000], strategies: ['classic'], batchSize: 5000, delayMs: 1000, iterations: 1, workers: 1, partitions: [0] };
}

/**
 * Run the chosen suites (once per --pg major), append every row to the CSV, return the rows.
 * Progress goes to the reporter the caller makes (the command line draws a bar or lines).
 */
export async function runBench(input: BenchOptions, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`), newReporter: ReporterFactory = silentReporter): Promise<CsvRow[]> {
  const options = applyProfile(input);
  const all: CsvRow[] = [];
  for (const pg of options.pg ?? [undefined]) for (const row of await runOnOneServer(options, log, newReporter, pg)) all.push(row);
  return all;
}

async function runOnOneServer(options: BenchOptions, log: (line: string) => void, newReporter: ReporterFactory, pg: number | undefined): Promise<CsvRow[]> {
  return withDatabase(
    async ({ url, embedded }) => {
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
      const reporter = newReporter(options.suites.reduce((n, s) => n + BENCH_SUITES[s].plannedIterations(options), 0));
      const all: CsvRow[] = [];
      try {
        if (options.maxLagMs !== undefined && !(await seesReplicationStats(lagClient))) {
          throw new InvalidOptionError('--max-lag', "standbys' replay lag is not visible to this role: GRANT pg_monitor to it, or leave --max-lag out");
        }
        const capabilities = await probeCapabilities(client);
        if (capabilities.off.length) reporter.log(`probes off for this role: ${capabilities.off.join('; ')}`);
        const meta = await runMetadata(client);
        for (const name of options.suites) {
          const rows = (await BENCH_SUITES[name].run({ url, client, observer, options, reporter, lag, standbyReader, capabilities })).map((f) => toRow(meta, f));
          appendCsv(options.out, rows); // after each suite, so an interrupted run keeps what it measured
          for (const row of rows) all.push(row);
        }
      } finally {
        reporter.stop();
        await standbyReader?.close();
        if (standbyReader?.cancelled) log(`standby: ${standbyReader.cancelled} report queries were cancelled by replay conflicts`);
        await Promise.all([client, observer, lagClient].map((c) => c.end()));
        await standby?.stop();
      }
      log(summary(all));
      if (options.profile === 'seed') log(seedComparison(all));
      log(`wrote ${all.length} rows to ${options.out}`);
      return all;
    },
    { pg },
  );
}
