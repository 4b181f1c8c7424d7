import type pg from 'pg';
import { formatDuration } from '../src/core/format.js';
import { fillProgress, type Reporter } from '../src/measure/reporter.js';
import { connect } from '../src/db/connect.js';
import { isConnectionLoss } from '../src/db/errors.js';
import { createScratchDatabase } from '../src/db/scratch.js';
import { InputError } from '../src/core/errors.js';
import { quoteIdent } from '../src/core/identifiers.js';
import { treeMembers } from '../src/engine/relations.js';
import { fillTables } from '../src/fixtures/synthetic-fill.js';
import { buildShapeTables } from '../src/fixtures/shape/build.js';
import { shapeLabel } from '../src/fixtures/shape/ddl.js';
import type { ShapeFile } from '../src/fixtures/shape/types.js';
import { tableLabel, type ValueOverrides } from '../src/fixtures/synthetic-table.js';
import { probeCapabilities } from '../src/measure/capabilities.js';
import { ReplicaLagReader } from '../src/measure/replica-lag.js';
import { runGroups, type GroupRun } from '../src/measure/statement-timeline.js';
import { strongestLock } from '../src/core/lock-modes.js';
import { LockWatcher } from '../src/measure/locks.js';
import type { WriteTarget } from '../src/measure/writer-probe.js';
import { MigrationFileError, parseMigration, readSources, statementKey, transactionGroups, type Migration, type RelationName, type TransactionGroup, type TransactionMode } from '../src/migrations/index.js';
import type { CaseFigures } from '../src/results/row.js';
import { blocksWriters, type MeasuredGroup, type MeasuredStatement, type SizeRun } from '../src/results/try-verdict.js';
import { measureCase, type MeasuredFigures } from './measure-case.js';

/** Everything `pgmb try` can be told; see `pgmb try --help`. */
export interface TryOptions {
  paths: string[];
  /** Schema applied before any migration: a pg_dump --schema-only, a structure.sql. */
  schema: string[];
  sizes: number[];
  /** The size the verdict is for (default: the largest measured). */
  targetRows?: number;
  /** `last` (default), `all`, or a glob over the migration paths. */
  measure: string;
  transaction: TransactionMode;
  maxBlockMs: number;
  values: ValueOverrides;
  /** Simulated application writers on every touched table (off only for debugging). */
  writers: boolean;
  /** Production's tables from `pgmb shape`: they replace the earlier migrations, and their statistics shape the rows. */
  shape?: ShapeFile;
}

/** The migrations read and split: the ones that build the schema, and the ones measured. */
export interface TryPlan {
  schema: Migration[];
  /** Earlier migrations left out because a shape file stands for production's schema. */
  notApplied: Migration[];
  measured: Migration[];
  groups: TransactionGroup[];
}

/** `*` within a path segment, `**` across them, `?` one character. */
function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '.*');
  return new RegExp(`(^|/)${body}$`);
}

/**
 * Read and parse everything before any SQL runs (every problem here exits 2 with file:line), and
 * split the migrations: the measured ones run on the schema the earlier ones (and --schema) build.
 */
export async function planTry(options: Pick<TryOptions, 'paths' | 'schema' | 'measure' | 'transaction' | 'shape'>): Promise<TryPlan> {
  const extra = await Promise.all(readSources(options.schema).map(parseMigration));
  const all = await Promise.all(readSources(options.paths).map(parseMigration));
  let first: number;
  let last = all.length;
  if (options.measure === 'last') first = all.length - 1;
  else if (options.measure === 'all') first = 0;
  else {
    const re = globRegExp(options.measure);
    const hits = all.map((m, i) => (re.test(m.path) ? i : -1)).filter((i) => i >= 0);
    if (!hits.length) throw new InputError('NOTHING_TO_MEASURE', `--measure ${options.measure} matches none of: ${all.map((m) => m.path).join(', ')}`);
    first = hits[0]!;
    last = hits[hits.length - 1]! + 1;
  }
  const measured = all.slice(first, last);
  const statements = measured.flatMap((m) => m.statements.filter((s) => !s.control));
  if (!statements.length) throw new MigrationFileError({ file: measured[0]!.path, line: 1, col: 1 }, 'no statements to measure in this migration');
  const earlier = all.slice(0, first);
  return {
    schema: options.shape ? extra : [...extra, ...earlier],
    notApplied: options.shape ? earlier : [],
    measured,
    groups: transactionGroups(measured, options.transaction),
  };
}

/** The target size a shape gives: the largest production table the measured statements touch. */
export function shapeTarget(plan: TryPlan, shape: ShapeFile): { rows: number; table: string } | undefined {
  const touched = new Set(plan.measured.flatMap((m) => m.statements.flatMap((s) => s.targets.map((t) => `${t.schema ?? 'public'}.${t.name}`))));
  const tables = shape.tables.filter((t) => touched.has(shapeLabel(t))).sort((a, b) => b.rows - a.rows);
  return tables[0] && { rows: tables[0].rows, table: shapeLabel(tables[0]) };
}

const label = (r: RelationName) => (r.schema ? `${r.schema}.${r.name}` : r.name);
const sqlName = (r: RelationName) => (r.schema ? `${quoteIdent(r.schema)}.${quoteIdent(r.name)}` : quoteIdent(r.name));

/**
 * Apply the schema migrations statement by statement on the empty scratch database. Owners and
 * grants name production's roles, which the scratch database does not have: they are skipped.
 */
async function buildSchema(client: pg.Client, schema: Migration[]): Promise<void> {
  for (const m of schema) {
    for (const s of m.statements) {
      if (s.control || s.aboutRoles) continue;
      try {
        await client.query(s.sql);
      } catch (err) {
        // A lost connection is not the file's fault: it exits as the server's error.
        if (isConnectionLoss(err)) throw err;
        throw new MigrationFileError(s, `building the schema on an empty database failed: ${(err as Error).message}`);
      }
    }
  }
  // A dump sets search_path to '' and timeouts to 0 for itself: the measured migration runs as the tool's fresh session would.
  await client.query('RESET ALL');
}

/**
 * The tables the measured statements touch, resolved in the built schema: oids in first-touched
 * order. A table the migration itself creates starts empty and is not filled; any other table
 * that does not exist is bad input, named at the statement.
 */
async function resolveTargets(client: pg.Client, plan: TryPlan): Promise<number[]> {
  const created = new Set(plan.measured.flatMap((m) => m.statements.flatMap((s) => (s.creates ? [label(s.creates)] : []))));
  const oids: number[] = [];
  for (const s of plan.measured.flatMap((m) => m.statements)) {
    for (const t of s.targets) {
      const { rows } = await client.query<{ oid: number | null; kind: string | null }>(
        'SELECT c.oid::int AS oid, c.relkind AS kind FROM pg_class c WHERE c.oid = to_regclass($1)',
        [sqlName(t)],
      );
      const found = rows[0];
      if (!found?.oid) {
        if (created.has(label(t))) continue;
        throw new MigrationFileError(s, `table ${label(t)} does not exist: no earlier migration or --schema file creates it`);
      }
      if (!['r', 'p'].includes(found.kind!)) continue;
      if (!oids.includes(found.oid)) oids.push(found.oid);
    }
  }
  if (!oids.length) throw new MigrationFileError(plan.measured[0]!.statements[0]!, 'the measured statements touch no existing table: there is nothing to fill and measure at a size');
  return oids;
}

/** Per statement and per group: time, locks, rewrites and how long the writers were held. */
function sizeRun(rows: number, runs: GroupRun[], writersHeld: (from: number, to: number) => number | undefined): SizeRun {
  const statements: MeasuredStatement[] = [];
  const groups: MeasuredGroup[] = [];
  for (const g of runs) {
    for (const s of g.statements) {
      statements.push({
        key: statementKey(s.statement),
        kind: s.statement.kind,
        ms: s.endedAt - s.startedAt,
        lock: strongestLock(s.locks),
        rewritten: s.rewritten,
        heldMs: writersHeld(s.startedAt, s.endedAt) ?? 0,
      });
    }
    if (g.failed) return { rows, statements, groups, failed: { key: statementKey(g.failed.statement), error: g.failed.error } };
    const holder = g.statements.find((s) => s.locks.some(blocksWriters));
    groups.push({
      key: statementKey(g.group.statements[0]!),
      statements: g.group.statements.map(statementKey),
      inTransaction: g.group.inTransaction,
      ms: g.endedAt - g.startedAt,
      holder: holder && statementKey(holder.statement),
      holdMs: holder && g.endedAt - holder.startedAt,
      heldMs: writersHeld(g.startedAt, g.endedAt) ?? 0,
    });
  }
  return { rows, statements, groups };
}

export interface SizeResult {
  run: SizeRun;
  /** The whole migration at this size, measured by measureCase as every bench case is. */
  figures: MeasuredFigures;
  /** The tables the simulated writers wrote to. */
  writersOn: string[];
  /** What their failed writes said (a few distinct messages). */
  writerErrors: string[];
}

/**
 * One size: a scratch database, the schema built in it, the touched tables filled with `rows`
 * synthetic rows, then the measured migration run once through measureCase with writers on every
 * touched table. The scratch database is dropped whatever happens.
 */
export async function measureSize(url: string, plan: TryPlan, options: TryOptions, rows: number, reporter: Reporter): Promise<SizeResult> {
  const scratch = await createScratchDatabase(url);
  const clients: pg.Client[] = [];
  let watcher: LockWatcher | undefined;
  try {
    const client = await connect(scratch.url, 'pgmb-try');
    const observer = await connect(scratch.url, 'pgmb-observer', { instrument: true });
    clients.push(client, observer);
    // The work counters read pg_stat_statements here too, where the server has it loaded.
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
    const built = options.shape && (await buildShapeTables(client, options.shape, options.shape.tables));
    for (const line of built ? built.leftOut : []) reporter.log(`shape: left out ${line}`);
    await buildSchema(client, plan.schema);
    const targets = await resolveTargets(client, plan);
    const main = await tableLabel(client, targets[0]!);
    let writeTo: WriteTarget[] = [];
    watcher = await LockWatcher.open(scratch.url);
    let runs: GroupRun[] = [];
    let writtenTables: string[] = [];
    let result: SizeRun | undefined;
    let writerErrors: string[] = [];
    const started = performance.now();
    const figures = await measureCase(
      { url: scratch.url, client, observer, options: { writers: options.writers, standby: false }, reporter, lag: new ReplicaLagReader(observer), capabilities: await probeCapabilities(client) },
      {
        label: `try ${rows.toLocaleString('en-US')} rows`,
        shape: { name: main.label, loaded: [], primaryKey: [] },
        // The writers write every table the migration touches, with what the fixture wrote there.
        writeTo: () => writeTo,
        rows,
        iterations: 1,
        tableSql: main.sql,
        runReportsLocks: true,
        load: async () => {
          const filled = await fillTables(client, targets, rows, { overrides: options.values, shapes: built ? built.tables : undefined }, fillProgress(reporter));
          const touched = filled.filter((f) => targets.includes(f.table.oid)).map((f) => f.table);
          writeTo = touched.map((t) => ({ sql: t.sql, shape: t }));
          writtenTables = touched.map((t) => t.label);
        },
        relations: async () => [...new Set((await Promise.all(targets.map((oid) => treeMembers(client, oid)))).flat().map((m) => m.oid))],
        run: async (table) => {
          reporter.caseStarted(`running ${plan.measured.map((m) => m.path).join(', ')} on ${rows.toLocaleString('en-US')} rows`);
          runs = await runGroups(client, watcher!, plan.groups, table.relations);
          return { locks: runs.flatMap((g) => g.statements.flatMap((s) => s.locks)) };
        },
        // Once the writers have stopped, every write a lock held has finished and has its latency.
        afterRun: (writers) => {
          result = sizeRun(rows, runs, (from, to) => writers.heldWithin(from, to));
          writerErrors = writers.errorMessages();
        },
      },
    );
    reporter.log(`${rows.toLocaleString('en-US')} rows: measured in ${formatDuration((performance.now() - started) / 1000)} (fill ${formatDuration((figures.setup_ms as number) / 1000)})`);
    return { run: result!, figures, writersOn: writtenTables, writerErrors };
  } finally {
    await watcher?.close();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await scratch.drop();
  }
}

/** CSV rows of one size: a row per statement, per multi-statement transaction, and the whole migration. */
export function tryRows(result: SizeResult, plan: TryPlan): CaseFigures[] {
  const { run, figures } = result;
  const timing = (ms: number) => ({ iterations: 1, mean_ms: ms, p50_ms: ms, p99_ms: ms, min_ms: ms, max_ms: ms, rows: run.rows });
  const out: CaseFigures[] = run.statements.map((s) => ({
    suite: 'try',
    case: `${s.key} ${s.kind}`,
    ...timing(s.ms),
    lock_mode: s.lock,
    table_rewritten: s.rewritten,
    writer_max_ms: s.heldMs,
  }));
  for (const g of run.groups.filter((g) => g.inTransaction && g.statements.length > 1)) {
    out.push({ suite: 'try', case: `${g.key} transaction`, ...timing(g.ms), writer_max_ms: g.heldMs });
  }
  out.push({ ...figures, suite: 'try', case: `${plan.measured[0]!.path} migration` });
  return out;
}
