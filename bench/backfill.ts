import { connect, withClient } from '../src/db/connect.js';
import { migrate, throttleWhile, type HealthSignal } from '../src/engine/index.js';
import { lagSignal } from '../src/measure/replica-lag.js';
import { writerSignal, type WriterHealth } from '../src/measure/traffic-probe.js';
import { quoteIdent } from '../src/core/identifiers.js';
import { dropTables } from '../src/fixtures/cleanup.js';
import { partitioned, usersFixture } from '../src/fixtures/table-fixtures.js';
import type { CaseFigures } from '../src/results/row.js';
import { freshTable } from '../src/measure/case-table.js';
import { measureCase } from '../src/measure/measure-case.js';
import { fixtures, iterationsFor, wanted, type BenchOptions, type BenchStrategy, type BenchSuite } from './types.js';
import type { VacuumPolicy } from '../src/engine/backfill/vacuum-behind.js';

const VALUE = 'backfilled bio';

/**
 * What the suite runs per fixture: one whole-table UPDATE, then each batched strategy; ctid once per
 * vacuum policy asked for (with and without vacuum behind the walk), the others with the first.
 */
function variants(o: BenchOptions): [BenchStrategy, VacuumPolicy | undefined][] {
  const all: [BenchStrategy, VacuumPolicy | undefined][] = [
    ['single-update', undefined],
    ...o.strategies.flatMap((s): [BenchStrategy, VacuumPolicy][] => (s === 'ctid' ? o.vacuum.map((v) => [s, v]) : [[s, o.vacuum[0]!]])),
  ];
  return all.filter(([s]) => wanted(o, 'backfill', s));
}

/**
 * The seed's TestBenchmarkBackfillPerformance: fill a new column of every row, per strategy and
 * size, against one whole-table UPDATE as the baseline. setup_ms is the COPY that built the table.
 */
export const backfillSuite: BenchSuite = {
  name: 'backfill',
  cases: () => ['backfill'],
  plannedIterations: (o) => fixtures(o).reduce((n, [rows]) => n + variants(o).length * iterationsFor(o, rows), 0),
  async run(ctx) {
    const { client, options } = ctx;
    const stateTable = `pgmb_bench_state_${process.pid}`;
    const rows: CaseFigures[] = [];
    const workersOf = (s: BenchStrategy) => (s === 'ctid' ? options.workers : 1);
    const { maxLagMs, maxWriterP99Ms } = options;
    // The health signals a batched backfill backs off on (none: it never waits).
    const throttleFor = (writers: WriterHealth) => {
      const signals: HealthSignal[] = [];
      if (maxLagMs !== undefined) signals.push(lagSignal(ctx.lag, maxLagMs));
      if (maxWriterP99Ms !== undefined) signals.push(writerSignal(writers, maxWriterP99Ms));
      return signals.length ? throttleWhile(signals) : undefined;
    };
    try {
      for (const [size, leaves] of fixtures(options)) {
        for (const [strategy, vacuum] of variants(options)) {
          const { figures } = await measureCase(ctx, {
            label: `backfill ${strategy}${vacuum ? ` vacuum ${vacuum}` : ''} ${size} rows${leaves ? `, ${leaves} partitions` : ''}`,
            table: freshTable(leaves ? partitioned(usersFixture, leaves) : usersFixture),
            rows: size,
            iterations: iterationsFor(options, size),
            prepare: async (table) => {
              await client.query(`ALTER TABLE ${quoteIdent(table.name)} ADD COLUMN bio text`);
            },
            run: async (table, writers) => {
              if (strategy === 'single-update') {
                await client.query(`UPDATE ${quoteIdent(table.name)} SET bio = $1`, [VALUE]);
                return;
              }
              const result = await migrate(client, [{ op: 'backfill', table: quoteIdent(table.name), column: 'bio', value: VALUE }], {
                backfill: { strategy, batchSize: options.batchSize, delayMs: options.delayMs, stateTable, workers: workersOf(strategy), throttle: throttleFor(writers), vacuum: vacuum! },
                connect: () => connect(ctx.url, 'pgmb-bench-worker'),
                onEvent: (e) => e.type === 'backfill-progress' && ctx.reporter.backfill(e.progress),
              });
              const r = result.backfills[0]!;
              return { throttledMs: r.throttledMs, nullsLeft: r.nullsLeft, largestBatch: r.largestBatch };
            },
          });
          const batched = strategy !== 'single-update';
          rows.push({
            suite: 'backfill',
            case: 'backfill',
            strategy,
            batch_size: batched ? options.batchSize : undefined,
            delay_ms: batched ? options.delayMs : undefined,
            workers: workersOf(strategy),
            max_lag_ms: batched ? maxLagMs : undefined,
            max_writer_p99_ms: batched ? maxWriterP99Ms : undefined,
            partitions: leaves || undefined,
            vacuum,
            ...figures,
          });
        }
      }
    } finally {
      // On a connection of its own: the suite's may be the one that was lost.
      await withClient(ctx.url, (c) => dropTables(c, [stateTable]));
    }
    return rows;
  },
};
