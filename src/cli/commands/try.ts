import { Command } from 'commander';
import { appendFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { shapeLabel } from '../../fixtures/shape/ddl.js';
import { readShapeFile } from '../../fixtures/shape/file.js';
import { DEFAULT_READERS } from '../../measure/workloads/reads.js';
import { DEFAULT_WRITERS } from '../../measure/workloads/writes.js';
import { longestQueryMs } from '../../fixtures/shape/long-queries.js';
import type { TableShape } from '../../fixtures/shape/types.js';
import { INSTALLED_MAJOR, parsePgMajor, PG_MAJORS } from '../../db/postgres-versions.js';
import { resolveDatabaseUrl } from '../../db/url.js';
import type { LaunchOptions } from '../../db/launcher.js';
import { FORMAT_TITLES, MIGRATION_FORMATS } from '../../migrations/index.js';
import { isDir } from '../../migrations/formats/shared.js';
import { TRANSACTION_MODES, type TransactionMode } from '../../migrations/types.js';
import { planTry, shapeTarget, tryTarget } from '../../try/plan.js';
import { runTry } from '../../try/run.js';
import type { TryOptions, TryOutcome, TryPlan } from '../../try/types.js';
import type { CommandSource } from '../../try/command-plan.js';
import { CODE_TOOLS, customTool } from '../../migrations/code/tools/index.js';
import { verdictHelp } from '../../results/verdicts.js';
import { InvalidOptionError } from '../../core/errors.js';
import { tenthsOfSecond } from '../../core/format.js';
import { EXIT } from '../exit-codes.js';
import { parseChoices, parseDuration, parsePairs, parsePositiveInt, parseSize } from '../parse.js';
import { createReporter } from '../progress-view.js';
import { tryMarkdown } from '../try-markdown.js';
import { trySarif } from '../try-sarif.js';
import { formatPlain, formatTry, githubAnnotations, gitlabCodeQuality, tryJson, type TableStyle } from '../try-view.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Writes a line said on the way: to stdout, or to stderr when stdout carries JSON. */
type Say = (line: string) => void;

/** `--value accounts.email=SQL`, repeated: the table.column before the first `=`, the expression after. */
export const parseValues = (items: string[]): Map<string, string> =>
  parsePairs('--value', items, "table.column=SQL (an expression over the row number g, e.g. accounts.email='u' || g || '@x.org')", /^[^=\s]+\.[^=\s]+$/);

interface RawOptions {
  sizes: string;
  budget: string;
  targetRows?: string;
  measure: string;
  measureFrom?: string;
  measureTo?: string;
  changedSince?: string;
  tool?: string;
  placeholder: string[];
  skip: string[];
  transaction: string;
  maxBlock: string;
  longQuery?: string;
  setting: string[];
  writers: string;
  readers: string;
  lockTimeout?: string;
  retries: string;
  schema: string[];
  shape?: string;
  pg?: string;
  value: string[];
  lint: string;
  out?: string;
  json?: string;
  format: 'table' | 'plain' | 'json';
  markdown?: string;
  gitlab?: string;
  sarif?: string;
  scratchUrl?: string;
  command?: string;
  cwd?: string;
  env: string[];
  historyTable?: string;
}

export function tryCommand(): Command {
  return new Command('try')
    .description("measure your own migration files on your schema, on tables filled with synthetic rows at your table's size, with writers beside them")
    .argument('[paths...]', `a project root (its migrations found by each tool's conventions), migration folders or files (${FORMAT_TITLES})`, ['.'])
    .option('--sizes <list>', 'rows in each touched table, one measurement per size; auto: 100k first, then sizes up to a tenth of the target that fit --budget', '100k,1m')
    .option('--budget <duration>', 'with --sizes auto: how long the measurements may take, about', '2m')
    .option('--target-rows <n>', "the size the verdict is for, e.g. your table's 40m; beyond the sizes measured it is extrapolated (default: the largest size)")
    .option(
      '--measure <which>',
      "last: the newest migration, the earlier ones build the schema; all; a migration's name as its tool names it (a Prisma folder, V74, a Sqitch change); or a glob over names and paths",
      'last',
    )
    .option('--measure-from <name>', 'measure a range: from this migration (name or glob) ...')
    .option('--measure-to <name>', '... to this one (default: the newest)')
    .option('--changed-since <ref>', 'measure the migrations this branch adds or changes since a git ref (e.g. origin/main), the earlier ones build the schema; none changed: exit 0')
    .option('--skip <file:line>', 'a statement of an earlier migration not to run when building the schema (one the empty scratch database refuses), as the error names it (repeatable)', collect, [])
    .option('--tool <name>', `read the history as this tool's, whatever detection says: ${MIGRATION_FORMATS.join(', ')}`)
    .option('--placeholder <name=value>', "a value for a placeholder in the migration files (Flyway's, goose's ENVSUB), e.g. --placeholder schema=public (repeatable)", collect, [])
    .option('--transaction <mode>', `how your tool runs a file: ${TRANSACTION_MODES.join(' | ')}`, 'file')
    .option('--max-block <duration>', 'a transaction that holds writers this long at the target size fails the check', '1s')
    .option('--writers <n>', 'simulated writer connections per touched table, each inserting or updating a row every 10 ms (0: none)', String(DEFAULT_WRITERS.connections))
    .option('--readers <n>', 'simulated reader connections per touched table, each reading a row by primary key or a short key range every 10 ms (0: none)', String(DEFAULT_READERS.connections))
    .option(
      '--long-query <duration>',
      'measure the largest size again with a query holding each touched table this long (ACCESS SHARE), started just before the migration; 0 turns it off (default: 3s, or the longest query a --shape saw holding its tables where longer)',
    )
    .option('--lock-timeout <duration>', 'SET lock_timeout for the migration session, as a tool that sets it does (pgroll, safe-pg-migrations); a SET in the migration counts too')
    .option('--retries <n>', 'run a transaction again after lock_timeout ends its wait, up to n times, pausing 100 ms, doubled each time (at most 5 s), as a tool that retries does', '0')
    .option('--setting <name=value>', "a setting for the migration's session as production has it, e.g. maintenance_work_mem=1GB (repeatable; wins over the shape's)", collect, [])
    .option('--shape <file>', "production's tables from pgmb shape: they stand for the earlier migrations, their statistics shape the rows, their reltuples is the target size")
    .option('--pg <major>', `the PostgreSQL major of the embedded server: ${PG_MAJORS.join(', ')} (default: the shape's, else ${INSTALLED_MAJOR}); others than ${INSTALLED_MAJOR} are fetched once`)
    .option('--schema <file>', 'schema to build first, e.g. a pg_dump --schema-only or structure.sql (repeatable)', collect, [])
    .option('--value <table.column=SQL>', 'the value of a column, as SQL over the row number g, where the generated one does not fit (repeatable)', collect, [])
    .option('--lint <linter>', 'squawk | none: lint beside the measurement', 'squawk')
    .option('--out <file.csv>', 'append one row per statement, transaction and size (suite "try") for compare and report')
    .option(
      '--format <format>',
      'what stdout gets: table (for people: a line per statement, fit to the terminal, coloured on a TTY unless NO_COLOR), plain (tab-separated, for scripts), json (the --json document)',
      'table',
    )
    .option('--json <file>', 'write the verdicts as JSON')
    .option('--gitlab <file>', "write GitLab's code quality report (JSON): each failing statement on its line")
    .option('--sarif <file>', 'write SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): each failing statement a result on its file and line, paths relative to here')
    .option('--markdown <file>', 'write a compact report for a pull request comment (under GitHub Actions it is also added to the job summary, $GITHUB_STEP_SUMMARY)')
    .option(
      '--command <cmd>',
      'measure what your own migrate command does (knex migrate:latest, manage.py migrate, alembic upgrade head, rake db:migrate, ...): its newest migration, run again on filled tables',
    )
    .option('--cwd <dir>', 'with --command: the folder to run it in (default: here)')
    .option('--env <name=value>', 'with --command: a variable for it, beside DATABASE_URL and PG* (repeatable)', collect, [])
    .option('--history-table <name>', `with --command: the table your tool records applied migrations in, when it is none of ${CODE_TOOLS.map((t) => t.history).join(', ')}`)
    .option('--scratch-url <url>', 'the server to make scratch databases on, as a role with CREATEDB (default: TEST_DATABASE_URL, DATABASE_URL, else an embedded server)')
    .addHelpText('after', tryHelp())
    .action(tryAction);
}

/** What `pgmb try --help` says after the options: scratch databases, --command, verdicts, exit codes, examples. */
function tryHelp(): string {
  return `
Each size gets a scratch database (pgmb_try_*, dropped after; the role needs CREATEDB, or use
--scratch-url): the earlier migrations build the
schema, the tables the measured migration touches are filled by the server with values made from
each column's type, and the migration runs as your tool would run it, with two simulated writers
inserting and updating each table it touches and two reading it. The largest size is then measured
again behind a long query (--long-query): a statement that needs a lock a reader's ACCESS SHARE stops
waits for it, and every reader and writer waits behind the statement, as in production.

Verdicts:
${verdictHelp()}

Exit codes: 0 nothing holds writers or readers >= --max-block at the target size, 1 something does,
gives up behind the long query (lock_timeout without retries) or the migration failed on the
synthetic rows, 2 bad input (nothing ran), 3 database unreachable.

With --command, pgmb runs your tool through a wire-protocol proxy that records what it sends: once
on an empty database, where its writes to its history table split the run into migrations:
${CODE_TOOLS.map((t) => `  ${t.title}: ${t.history}`).join('\n')}
  (another tool: --history-table NAME)
Then once per size, on a database where the earlier ones were replayed and the tables filled, so the
tool applies the newest alone and its code (a loop over rows) does its real work. It reads its
database from DATABASE_URL and libpq's PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
PGDATABASE; PGOPTIONS carries --setting and --lock-timeout). A command that is missing or fails on
its own exits 2 with its last lines.

Examples:
  pgmb try db/migrations --sizes 100k,1m --target-rows 20m --max-block 500ms
  pgmb try --command "npx knex migrate:latest" --sizes 100k,1m --target-rows 20m`;
}

/** The long query a busy table has at least: a report, a slow page, a session left in a transaction. */
const DEFAULT_LONG_QUERY_MS = 3000;

function tryOptions(paths: string[], o: RawOptions): TryOptions {
  const shape = o.shape === undefined ? undefined : readShapeFile(o.shape);
  return {
    paths,
    schema: o.schema,
    sizes: o.sizes.trim() === 'auto' ? [] : [...new Set(o.sizes.split(',').map((s) => parseSize(s)))].sort((a, b) => a - b),
    budgetMs: o.sizes.trim() === 'auto' ? parseDuration('--budget', o.budget) : undefined,
    targetRows: o.targetRows === undefined ? undefined : parseSize(o.targetRows),
    measure: o.measure,
    measureFrom: o.measureFrom,
    measureTo: o.measureTo,
    changedSince: o.changedSince,
    skip: new Set(o.skip),
    read: {
      tool: o.tool === undefined ? undefined : parseChoices('--tool', o.tool, MIGRATION_FORMATS)[0],
      placeholders: parsePairs('--placeholder', o.placeholder, 'name=value'),
    },
    transaction: parseChoices('--transaction', o.transaction, TRANSACTION_MODES)[0] as TransactionMode,
    maxBlockMs: parseDuration('--max-block', o.maxBlock),
    longQueryMs: o.longQuery === undefined ? DEFAULT_LONG_QUERY_MS : parseDuration('--long-query', o.longQuery),
    lockTimeoutMs: o.lockTimeout === undefined ? undefined : parseDuration('--lock-timeout', o.lockTimeout),
    retries: o.retries.trim() === '0' ? 0 : parsePositiveInt('--retries', o.retries),
    values: parseValues(o.value),
    settings: new Map([...Object.entries(shape?.settings ?? {}), ...parsePairs('--setting', o.setting, 'name=value (maintenance_work_mem=1GB)')]),
    writers: o.writers.trim() === '0' ? 0 : parsePositiveInt('--writers', o.writers),
    readers: o.readers.trim() === '0' ? 0 : parsePositiveInt('--readers', o.readers),
    shape,
    lint: parseChoices('--lint', o.lint, ['squawk', 'none'] as const)[0]!,
    out: o.out,
  };
}

/** The server to measure on: --scratch-url, else the variables, else an embedded one of --pg (default: the shape's major, where pgmb can start it). */
function launchOptions(o: RawOptions, options: TryOptions): LaunchOptions {
  const asked = o.pg === undefined ? undefined : parsePgMajor(o.pg, 'try measures on one server');
  const url = o.scratchUrl === undefined ? undefined : { url: o.scratchUrl, source: '--scratch-url' as const };
  const shapeMajor = options.shape && !(url ?? resolveDatabaseUrl()) && PG_MAJORS.includes(options.shape.server.major) ? options.shape.server.major : undefined;
  return { pg: asked ?? shapeMajor, url };
}

/** What a shape file stands for, said before anything is measured. */
function sayShape(file: string, options: TryOptions, plan: TryPlan, say: Say): void {
  const shape = options.shape!;
  const fromShape = options.targetRows === undefined && shapeTarget(plan, shape);
  const applied = plan.notApplied.length ? `; ${plan.notApplied.length} earlier migration(s) not applied, the shape stands for them` : '';
  say(`schema: ${shape.tables.length} table(s) from ${file}, captured on PostgreSQL ${shape.server.major}${applied}\n`);
  if (fromShape) say(`target: ${fromShape.rows.toLocaleString('en-US')} rows, the reltuples of ${fromShape.table} in ${file}\n`);
}

/** Without --long-query, the longest query the shape saw holding one of its tables, when there is one: said. */
function longQueryFromShape(options: TryOptions, o: RawOptions, say: Say): TryOptions {
  if (o.longQuery !== undefined || !options.shape) return options;
  const held = options.shape.tables.map((t) => ({ t, ms: longestQueryMs(t.queries) })).filter((x): x is { t: TableShape; ms: number } => x.ms !== undefined);
  const longest = held.sort((a, b) => b.ms - a.ms)[0];
  if (!longest) return options;
  const seen = `${tenthsOfSecond(longest.ms)}, the longest seen holding ${shapeLabel(longest.t)} when the shape was captured`;
  // A moment's snapshot that saw only short queries does not prove there are no long ones: never under the default.
  if (longest.ms <= options.longQueryMs) {
    say(`long query: ${tenthsOfSecond(options.longQueryMs)}, the default (the shape saw ${seen})\n`);
    return options;
  }
  say(`long query: ${seen} (--long-query sets another)\n`);
  return { ...options, longQueryMs: longest.ms };
}

/** The terminal's width and whether it takes colour: a TTY, and NO_COLOR unset; a log (CI) gets 120 columns and none. Files are shown from the project root given. */
function terminalStyle(root: string | undefined): TableStyle {
  const tty = process.stdout.isTTY === true;
  const dir = root !== undefined && isDir(root) ? root : undefined;
  return { width: tty ? process.stdout.columns || 120 : 120, colour: tty && !process.env.NO_COLOR, root: dir };
}

async function tryAction(paths: string[], o: RawOptions): Promise<void> {
  parseChoices('--format', o.format, ['table', 'plain', 'json'] as const);
  const say: Say = (line) => void (o.format === 'json' ? process.stderr : process.stdout).write(line);
  const options = longQueryFromShape(tryOptions(paths, o), o, say);
  const launch = launchOptions(o, options);
  if (o.command !== undefined) return report(await runTry({ command: commandSource(paths, o) }, options, launch, createReporter), options, o);
  const plan = await planTry(options);
  if (!plan.measured.length) {
    if (o.format === 'json') process.stdout.write(`${JSON.stringify({ changed_since: options.changedSince, measured: [] })}\n`);
    else process.stdout.write(`no migration changed since ${options.changedSince}: nothing to measure\n`);
    return;
  }
  if (options.budgetMs !== undefined && tryTarget(plan, options).from === 'largest size')
    throw new InvalidOptionError('--sizes', 'auto chooses sizes from the target: give --target-rows, or a --shape whose tables hold it');
  for (const line of plan.readAs) say(`reading ${line}\n`);
  for (const line of plan.notes) process.stderr.write(`note: ${line}\n`);
  if (o.shape) sayShape(o.shape, options, plan, say);
  report(await runTry({ plan }, options, launch, createReporter), options, o);
}

/** The command, where to run it and with what, and the history tables that name its migrations; bad input before anything runs. */
function commandSource(paths: string[], o: RawOptions): CommandSource {
  if (paths.length > 1 || (paths[0] ?? '.') !== '.') throw new InvalidOptionError('--command', 'measures what the command applies: give no migration paths beside it');
  for (const [flag, given] of [
    ['--changed-since', o.changedSince],
    ['--shape', o.shape],
    ['--measure-from', o.measureFrom],
    ['--measure-to', o.measureTo],
  ] as const) {
    if (given !== undefined) throw new InvalidOptionError(flag, 'is not read with --command, which measures the newest migration the command applies');
  }
  if (!o.command!.trim()) throw new InvalidOptionError('--command', 'is empty');
  const cwd = resolve(o.cwd ?? '.');
  if (!isDir(cwd)) throw new InvalidOptionError('--cwd', `${o.cwd} is not a folder`);
  const tools = o.historyTable === undefined ? CODE_TOOLS : [customTool(o.historyTable), ...CODE_TOOLS];
  return { command: o.command!, cwd, env: Object.fromEntries(parsePairs('--env', o.env, 'NAME=value')), tools, measure: o.measure };
}

/** The outcome as asked: the table, plain lines or JSON on stdout, the files beside, and the exit code. */
function report(outcome: TryOutcome, options: TryOptions, o: RawOptions): void {
  if (options.shape && options.shape.server.major !== outcome.pgMajor) {
    process.stderr.write(`note: the shape was captured on PostgreSQL ${options.shape.server.major}; this run measures on ${outcome.pgMajor}\n`);
  }
  const { verdicts, lint, writers } = outcome;
  const document = () => `${JSON.stringify({ pg_major: outcome.pgMajor, target_from: outcome.target.from, settings: outcome.settings, ...(tryJson(verdicts, lint, writers) as object) }, null, 2)}\n`;
  process.stdout.write(
    o.format === 'json'
      ? document()
      : o.format === 'plain'
        ? formatPlain(verdicts)
        : formatTry(verdicts, outcome.sizes, lint, writers, terminalStyle(options.paths.length === 1 ? options.paths[0] : undefined)),
  );
  if (o.json) writeFileSync(o.json, document());
  if (o.gitlab) writeFileSync(o.gitlab, `${JSON.stringify(gitlabCodeQuality(verdicts), null, 2)}\n`);
  if (o.sarif) writeFileSync(o.sarif, `${JSON.stringify(trySarif(verdicts), null, 2)}\n`);
  if (o.markdown || process.env.GITHUB_STEP_SUMMARY) {
    const md = tryMarkdown(outcome);
    if (o.markdown) writeFileSync(o.markdown, md);
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md);
  }
  if (o.out) process.stderr.write(`appended ${outcome.appended} size(s) of rows to ${o.out}\n`);
  if (process.env.GITHUB_ACTIONS && o.format !== 'json') for (const line of githubAnnotations(verdicts)) process.stdout.write(`${line}\n`);
  process.exitCode = verdicts.failing ? EXIT.failure : EXIT.ok;
}
