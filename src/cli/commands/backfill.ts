import { Command } from 'commander';
import type pg from 'pg';
import { connect, serverInfo } from '../../db/connect.js';
import { DatabaseUnreachableError, isConnectionLoss } from '../../db/errors.js';
import { resolveDatabaseUrl, type ResolvedUrl } from '../../db/url.js';
import { InvalidOptionError } from '../../core/errors.js';
import {
  DEFAULT_BACKFILL,
  migrate,
  resolveEngineOptions,
  seesReplicationStats,
  STRATEGIES,
  throttleWhile,
  type BackfillProgress,
  type BackfillResult,
  type EngineOptions,
  type HealthSignal,
  type Requirement,
  type StrategyName,
} from '../../engine/index.js';
import { backoffMs, inTransaction, sleep } from '../../engine/transaction.js';
import { Canary } from '../../measure/canary.js';
import { lagSignal, ReplicaLagReader } from '../../measure/replica-lag.js';
import { writerSignal } from '../../measure/traffic-probe.js';
import { parseChoices, parseDuration, parsePositiveInt } from '../parse.js';
import { parseVacuum } from '../../engine/backfill/vacuum-behind.js';
import { strategyNamed } from '../../engine/backfill/strategies/index.js';
import { treeMembers } from '../../engine/relations.js';
import { tableBytes } from '../../measure/table-stats.js';
import { formatDuration, tenthsOfSecond } from '../../core/format.js';
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
  reconnect: string;
  vacuum?: string;
}

export function backfillCommand(): Command {
  return new Command('backfill')
    .description('fill a column of your own table with a value, in batches: resumable, throttled, never overwriting a value already set')
    .requiredOption('--table <name>', 'table, as in SQL: users, "Order", app."user data"')
    .requiredOption('--column <name>', 'column to fill where it IS NULL')
    .requiredOption('--value <text>', 'the value, cast by the server to the column type')
    .option('--where <sql>', 'extra condition, trusted SQL like pt-online-schema-change --where')
    .option('--strategy <name>', `${STRATEGIES.join(' | ')}`, DEFAULT_BACKFILL.strategy)
    .option('--batch-size <n>', 'rows per batch (the first batch with --target-batch-ms)', '5000')
    .option('--delay <duration>', 'sleep between batches, e.g. 0ms, 500ms, 1s', '0ms')
    .option('--target-batch-ms <ms>', 'adapt the batch size so that one batch takes about this long (pt-osc --chunk-time)')
    .option('--workers <n>', `parallel workers, each on its own connection and part of the table (${inWords(STRATEGIES.filter((n) => strategyNamed(n).split))} only)`, '1')
    .option('--max-lag <duration>', "pause while any standby's replay lag (pg_stat_replication) is over this; 0 turns it off", '1.5s')
    .option('--max-writer-p99 <duration>', "pause while pgmb's own canary writes (a pgmb_canary_* table, dropped after) took longer than this over the last second; 0 turns it off", '0')
    .option('--lock-timeout <duration>', 'lock_timeout for each batch; retried with backoff', '2s')
    .option('--state-table <name>', 'where the checkpoint lives', 'pgmb_backfill_state')
    .option('--vacuum <policy>', `VACUUM (INDEX_CLEANUP OFF) behind the walk, so the table does not double: auto, off, or every N batches (default: ${vacuumDefaults()})`)
    .option('--wait', 'if another backfill of this table and column is running, wait for it instead of exiting 1')
    .option('--reconnect <duration>', 'on a lost connection (restart, failover), reconnect for up to this long and carry on from the checkpoint; 0 exits at once', '60s')
    .addHelpText(
      'after',
      '\nConnects to TEST_DATABASE_URL, else DATABASE_URL (no embedded server: this works on your database).\n' +
        'Partitioned tables and inheritance trees are walked leaf by leaf (UPDATE ONLY each), workers across leaves.\n' +
        'Killed or interrupted? Run the same command again: it resumes from its checkpoint.\n' +
        'Done is counted: after the final sweep the NULLs left are counted per leaf; any left means exit 1.\n' +
        'Every privilege it needs is checked before anything runs (missing: exit 2, with the GRANT for each).\n' +
        'Exit codes: 0 done (0 NULLs left), 1 failed or NULLs left or another backfill of the column running,\n' +
        '2 bad input or missing privileges (nothing ran), 3 database unreachable (or lost past --reconnect), 130 interrupted.',
    )
    .action(backfillAction);
}

/** Names as people write a list: "ctid", "keyset and classic", "a, b and c". */
const inWords = (names: readonly string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join(''));

/** Each strategy's default vacuum, from the strategies themselves: "auto with ctid, off with keyset and classic". */
function vacuumDefaults(): string {
  const policies = [...new Set(STRATEGIES.map((n) => strategyNamed(n).defaultVacuum))];
  return policies.map((p) => `${p} with ${inWords(STRATEGIES.filter((n) => strategyNamed(n).defaultVacuum === p))}`).join(', ');
}

/** The command's options, every one checked before the first connection. */
interface Settings {
  database: ResolvedUrl;
  maxLagMs: number;
  maxWriterP99Ms: number;
  reconnectMs: number;
  options: EngineOptions;
}

function parseFlags(f: BackfillFlags): Settings {
  const database = resolveDatabaseUrl();
  if (!database) {
    throw new InvalidOptionError('database', 'no database: set DATABASE_URL (or TEST_DATABASE_URL) to the database that holds your table');
  }
  const maxLagMs = parseDuration('--max-lag', f.maxLag);
  const maxWriterP99Ms = parseDuration('--max-writer-p99', f.maxWriterP99);
  const reconnectMs = parseDuration('--reconnect', f.reconnect);
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
      vacuum: f.vacuum === undefined ? undefined : parseVacuum('--vacuum', f.vacuum),
    },
    connect: () => connect(database.url, 'pgmb-backfill-worker'),
  });
  return { database, maxLagMs, maxWriterP99Ms, reconnectMs, options };
}

/** The lag limit that holds on this connection, and the privileges the health limits need. */
interface Health {
  maxLagMs: number;
  requirements: Requirement[];
}

/**
 * The lag throttle is on by default; a role that cannot see standbys' lag runs without it, said
 * once. Asked for by name, it is a requirement like any other.
 */
async function healthLimits(client: pg.Client, f: BackfillFlags, command: Command, settings: Settings): Promise<Health> {
  let maxLagMs = settings.maxLagMs;
  const requirements: Requirement[] = [];
  if (maxLagMs > 0 && command.getOptionValueSource('maxLag') === 'default' && !(await seesReplicationStats(client))) {
    process.stderr.write("warning: standbys' replay lag is not visible to this role (GRANT pg_monitor to see it): --max-lag is off\n");
    maxLagMs = 0;
  }
  if (maxLagMs > 0) requirements.push({ kind: 'replication-stats', why: `--max-lag ${f.maxLag}`, avoid: '--max-lag 0' });
  if (settings.maxWriterP99Ms > 0) requirements.push({ kind: 'create-table', why: "--max-writer-p99's canary table", avoid: '--max-writer-p99 0' });
  return { maxLagMs, requirements };
}

type BackfillView = ReturnType<typeof createBackfillView>;

/** What every attempt of the backfill runs with; `signalNames` is filled with the health signals it uses, `last` with its latest progress. */
interface AttemptSetup {
  f: BackfillFlags;
  settings: Settings;
  health: Health;
  view: BackfillView;
  signalNames: string[];
  last?: BackfillProgress;
}

/** The whole job over its attempts: what the attempts a lost connection ended had done (by their last progress), and since when. */
interface JobTally {
  startedAt: number;
  attempts: number;
  rows: number;
  batches: number;
  throttledMs: number;
  largestBatch: number;
}

/** An attempt a lost connection ended, added to the job by the last progress it reported (batches it committed after that are not counted). */
function tallyLost(job: JobTally, last: BackfillProgress | undefined): void {
  job.attempts += 1;
  if (!last) return;
  job.rows += last.rowsDone;
  job.batches += last.batches;
  job.throttledMs += last.throttledMs;
  job.largestBatch = Math.max(job.largestBatch, last.largestBatch);
}

/** The options checked, then the backfill run (again from its checkpoint after a lost connection), then its result. */
async function backfillAction(f: BackfillFlags, command: Command): Promise<void> {
  const settings = parseFlags(f);
  let client = await connect(settings.database.url, 'pgmb-backfill');
  const info = await serverInfo(client, settings.database.url);
  process.stderr.write(`database: PostgreSQL ${info.version} at ${info.where} (from ${settings.database.source})\n`);
  const health = await healthLimits(client, f, command, settings);
  const view = createBackfillView();
  const setup: AttemptSetup = { f, settings, health, view, signalNames: [] };
  const job: JobTally = { startedAt: performance.now(), attempts: 1, rows: 0, batches: 0, throttledMs: 0, largestBatch: 0 };
  const sizeBefore = await rowBytes(client, f.table);
  try {
    let r: BackfillResult;
    for (;;) {
      try {
        r = await attempt(client, setup);
        break;
      } catch (err) {
        if (!isConnectionLoss(err) || settings.reconnectMs === 0) throw err;
        tallyLost(job, setup.last);
        setup.last = undefined;
        view.log(`connection lost (${(err as Error).message}); reconnecting for up to ${formatDuration(settings.reconnectMs / 1000)}`);
        await client.end().catch(() => undefined);
        client = await reconnect(settings.database.url, settings.reconnectMs);
        view.log('reconnected: resuming from the checkpoint');
      }
    }
    view.stop();
    await render(client, f, wholeJob(r, job), sizeBefore, setup.signalNames, job.attempts);
  } finally {
    view.stop();
    await client.end().catch(() => undefined);
  }
}

/** One run of the backfill on `c`, with health signals of its own connections. */
async function attempt(c: pg.Client, setup: AttemptSetup): Promise<BackfillResult> {
  const { f, settings, health, view, signalNames } = setup;
  let lagClient: pg.Client | undefined;
  const canary = settings.maxWriterP99Ms > 0 ? new Canary(settings.database.url, (t) => view.log(`canary: timing writes on table ${t}, dropped at the end`)) : undefined;
  try {
    const signals: HealthSignal[] = [];
    if (health.maxLagMs > 0) {
      lagClient = await connect(settings.database.url, 'pgmb-lag');
      signals.push(lagSignal(new ReplicaLagReader(lagClient), health.maxLagMs));
    }
    if (canary) signals.push(writerSignal(canary, settings.maxWriterP99Ms));
    signalNames.splice(0, signalNames.length, ...signals.map((s) => s.name));
    const result = await migrate(c, [{ op: 'backfill', table: f.table, column: f.column, value: f.value, where: f.where }], {
      ...settings.options,
      backfill: { ...settings.options.backfill, throttle: signals.length ? throttleWhile(signals) : undefined },
      requirements: health.requirements,
      onEvent: (e) => {
        if (e.type === 'backfill-progress') {
          setup.last = e.progress;
          view.update(e.progress);
        } else if (e.type === 'backfill-waiting') view.log(`waiting: another backfill of this column is running (${e.holder})`);
        else if (e.type === 'backfill-relation-skipped') view.log(`skipped ${e.relation}: ${e.reason}`);
      },
    });
    return result.backfills[0]!;
  } finally {
    await canary?.close().catch(() => undefined);
    await lagClient?.end().catch(() => undefined);
  }
}

/** The last attempt's result with what the earlier attempts of this run did added: the whole job, timed from its start. */
function wholeJob(r: BackfillResult, job: JobTally): BackfillResult {
  return {
    ...r,
    rowsUpdated: r.rowsUpdated + job.rows,
    batches: r.batches + job.batches,
    throttledMs: r.throttledMs + job.throttledMs,
    largestBatch: Math.max(r.largestBatch, job.largestBatch),
    ms: performance.now() - job.startedAt,
  };
}

/** The table's growth and late leaves on stderr; stdout gets the result alone, for scripts. */
async function render(client: pg.Client, f: BackfillFlags, r: BackfillResult, sizeBefore: number | undefined, signalNames: string[], attempts: number): Promise<void> {
  const sizeAfter = await rowBytes(client, f.table);
  if (sizeBefore !== undefined && sizeAfter !== undefined) {
    const vacuumed = r.vacuums ? `, ${r.vacuums} vacuum rounds behind the walk (${tenthsOfSecond(r.vacuumMs)})` : '';
    process.stderr.write(`table size: ${mb(sizeBefore)} before, ${mb(sizeAfter)} after (${(sizeAfter / Math.max(1, sizeBefore)).toFixed(2)}x)${vacuumed}\n`);
  }
  for (const late of r.lateRelations) {
    process.stderr.write(`warning: ${late} joined ${f.table} after the final sweep began and was not walked; run again to fill it\n`);
  }
  process.stdout.write(
    `${r.rowsUpdated} rows updated in ${tenthsOfSecond(r.ms)}, ${r.batches} batches (largest ${r.largestBatch} rows), ${r.workers} worker(s)` +
      `${r.relations > 1 ? `, ${r.relations} leaves` : ''}` +
      `${r.throttledMs > 0 ? `, ${tenthsOfSecond(r.throttledMs)} paused for health (${signalNames.join(', ')})` : ''}` +
      `${attempts > 1 ? `, ${attempts} attempts (reconnected ${attempts - 1} time(s))` : ''}` +
      `${r.resumed ? ` (resumed from a checkpoint${attempts > 1 ? '' : ' an earlier run left: the rows it filled are not counted here'})` : ''}; ${r.nullsLeft} NULLs left (counted)\n`,
  );
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/**
 * The bytes of a table's rows over every leaf (heap and TOAST, no indexes); undefined when it cannot
 * be found or is locked (sizing a relation waits for its lock: never longer than a second here).
 */
async function rowBytes(client: pg.Client, table: string): Promise<number | undefined> {
  return inTransaction(
    client,
    async () => {
      const oid = (await client.query<{ oid: number | null }>('SELECT to_regclass($1)::oid::int AS oid', [table])).rows[0]!.oid;
      return oid === null
        ? undefined
        : tableBytes(
            client,
            (await treeMembers(client, oid)).map((m) => m.oid),
          );
    },
    "BEGIN; SET LOCAL lock_timeout = '1s'",
  ).catch(() => undefined);
}

/** Connect again, with backoff, until `withinMs` has passed; then a clear error (a rerun resumes). */
async function reconnect(url: string, withinMs: number): Promise<pg.Client> {
  const deadline = performance.now() + withinMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect(url, 'pgmb-backfill');
    } catch (err) {
      if (performance.now() + backoffMs(attempt) > deadline) {
        throw new DatabaseUnreachableError(
          url,
          new Error(`still unreachable after ${formatDuration(withinMs / 1000)} of retries; run the same command again when it is back: it resumes from its checkpoint (${(err as Error).message})`),
        );
      }
      await sleep(backoffMs(attempt));
    }
  }
}
