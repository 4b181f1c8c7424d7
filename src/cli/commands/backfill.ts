import { Command } from 'commander';
import type pg from 'pg';
import { connect, serverInfo } from '../../db/connect.js';
import { resolveDatabaseUrl } from '../../db/url.js';
import { InvalidOptionError } from '../../engine/errors.js';
import { migrate, resolveEngineOptions, STRATEGIES, throttleWhile, type HealthSignal, type StrategyName } from '../../engine/index.js';
import { Canary } from '../../measure/canary.js';
import { lagSignal, ReplicaLagReader } from '../../measure/replica-lag.js';
import { writerSignal } from '../../measure/writer-probe.js';
import { parseChoices, parseDuration, parsePositiveInt } from '../parse.js';
import { createBackfillView } from '../progress-view.js';

interface BackfillFlags {
  table: string;
  column: string;
  value: string;
  where?: string;
  strategy: string;
  batchSize: string;
  delay: string;
  targetBatchMs?: string;
  workers: string;
  maxLag: string;
  maxWriterP99: string;
  lockTimeout: string;
  stateTable: string;
  wait?: boolean;
}

export function backfillCommand(): Command {
  return new Command('backfill')
    .description("fill a column of your own table with a value, in batches: resumable, throttled, never overwriting a value already set")
    .requiredOption('--table <name>', 'table, as in SQL: users, "Order", app."user data"')
    .requiredOption('--column <name>', 'column to fill where it IS NULL')
    .requiredOption('--value <text>', 'the value, cast by the server to the column type')
    .option('--where <sql>', 'extra condition, trusted SQL like pt-online-schema-change --where')
    .option('--strategy <name>', `${STRATEGIES.join(' | ')}`, 'ctid')
    .option('--batch-size <n>', 'rows per batch (the first batch with --target-batch-ms)', '5000')
    .option('--delay <duration>', 'sleep between batches, e.g. 0ms, 500ms, 1s', '0ms')
    .option('--target-batch-ms <ms>', 'adapt the batch size so that one batch takes about this long (pt-osc --chunk-time)')
    .option('--workers <n>', 'parallel workers, each on its own connection and part of the table (ctid only)', '1')
    .option('--max-lag <duration>', "pause while any standby's replay lag (pg_stat_replication) is over this; 0 turns it off", '1.5s')
    .option('--max-writer-p99 <duration>', "pause while pgmb's own canary writes (a pgmb_canary_* table, dropped after) took longer than this over the last second; 0 turns it off", '0')
    .option('--lock-timeout <duration>', 'lock_timeout for each batch; retried with backoff', '2s')
    .option('--state-table <name>', 'where the checkpoint lives', 'pgmb_backfill_state')
    .option('--wait', 'if another backfill of this table and column is running, wait for it instead of exiting 1')
    .addHelpText(
      'after',
      '\nConnects to TEST_DATABASE_URL, else DATABASE_URL (no embedded server: this works on your database).\n' +
        'Partitioned tables and inheritance trees are walked leaf by leaf (UPDATE ONLY each), workers across leaves.\n' +
        'Killed or interrupted? Run the same command again: it resumes from its checkpoint.\n' +
        'Done is counted: after the final sweep the NULLs left are counted per leaf; any left means exit 1.\n' +
        'Exit codes: 0 done (0 NULLs left), 1 failed or NULLs left or another backfill of the column running,\n' +
        '2 bad input (nothing ran), 3 database unreachable, 130 interrupted.',
    )
    .action(async (f: BackfillFlags) => {
      // Every option is checked before the first connection.
      const resolved = resolveDatabaseUrl();
      if (!resolved) {
        throw new InvalidOptionError('database', 'no database: set DATABASE_URL (or TEST_DATABASE_URL) to the database that holds your table');
      }
      const maxLagMs = parseDuration('--max-lag', f.maxLag);
      const maxWriterP99Ms = parseDuration('--max-writer-p99', f.maxWriterP99);
      const options = resolveEngineOptions({
        lockTimeoutMs: parseDuration('--lock-timeout', f.lockTimeout),
        backfill: {
          strategy: parseChoices('--strategy', f.strategy, STRATEGIES)[0] as StrategyName,
          batchSize: parsePositiveInt('--batch-size', f.batchSize),
          delayMs: parseDuration('--delay', f.delay),
          targetBatchMs: f.targetBatchMs === undefined ? undefined : parsePositiveInt('--target-batch-ms', f.targetBatchMs),
          stateTable: f.stateTable,
          workers: parsePositiveInt('--workers', f.workers),
          wait: f.wait === true,
        },
        connect: () => connect(resolved.url, 'pgmb-backfill-worker'),
      });
      const client = await connect(resolved.url, 'pgmb-backfill');
      const info = await serverInfo(client, resolved.url);
      process.stderr.write(`database: PostgreSQL ${info.version} at ${info.where} (from ${resolved.source})\n`);
      const view = createBackfillView();
      let lagClient: pg.Client | undefined;
      const canary = maxWriterP99Ms > 0 ? new Canary(resolved.url, (t) => process.stderr.write(`canary: timing writes on table ${t}, dropped at the end\n`)) : undefined;
      try {
        const signals: HealthSignal[] = [];
        if (maxLagMs > 0) {
          lagClient = await connect(resolved.url, 'pgmb-lag');
          signals.push(lagSignal(new ReplicaLagReader(lagClient), maxLagMs));
        }
        if (canary) signals.push(writerSignal(canary, maxWriterP99Ms));
        if (signals.length) options.backfill.throttle = throttleWhile(signals);
        const result = await migrate(client, [{ op: 'backfill', table: f.table, column: f.column, value: f.value, where: f.where }], {
          ...options,
          onEvent: (e) => {
            if (e.type === 'backfill-progress') view.update(e.progress);
            else if (e.type === 'backfill-waiting') view.log(`waiting: another backfill of this column is running (${e.holder})`);
            else if (e.type === 'backfill-relation-skipped') view.log(`skipped ${e.relation}: ${e.reason}`);
          },
        });
        view.stop();
        const r = result.backfills[0]!;
        for (const late of r.lateRelations) {
          process.stderr.write(`warning: ${late} joined ${f.table} after the final sweep began and was not walked; run again to fill it\n`);
        }
        // Progress went to stderr; stdout gets the result alone, for scripts.
        process.stdout.write(
          `${r.rowsUpdated} rows updated in ${(r.ms / 1000).toFixed(1)} s, ${r.batches} batches (largest ${r.largestBatch} rows), ${r.workers} worker(s)` +
            `${r.relations > 1 ? `, ${r.relations} leaves` : ''}` +
            `${r.throttledMs > 0 ? `, ${(r.throttledMs / 1000).toFixed(1)} s paused for health (${signals.map((s) => s.name).join(', ')})` : ''}` +
            `${r.resumed ? ' (resumed from a checkpoint)' : ''}; ${r.nullsLeft} NULLs left (counted)\n`,
        );
      } finally {
        view.stop();
        await canary?.close();
        await client.end();
        await lagClient?.end();
      }
    });
}
