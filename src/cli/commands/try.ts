import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { measureSize, planTry, shapeTarget, tryRows, type SizeResult, type TryOptions } from '../../../bench/try.js';
import { readShapeFile } from '../../fixtures/shape/file.js';
import { INSTALLED_MAJOR, parsePgMajor, PG_MAJORS } from '../../db/postgres-versions.js';
import { resolveDatabaseUrl } from '../../db/url.js';
import { connect } from '../../db/connect.js';
import { withDatabase } from '../../db/launcher.js';
import { InvalidOptionError } from '../../core/errors.js';
import { lint, type LintResult } from '../../lint/squawk.js';
import { keepErrorMessages } from '../../measure/writer-probe.js';
import { TRANSACTION_MODES, type TransactionMode } from '../../migrations/types.js';
import { appendCsv } from '../../results/csv.js';
import { runMetadata } from '../../results/metadata.js';
import { toRow } from '../../results/row.js';
import { tryVerdicts } from '../../results/try-verdict.js';
import { EXIT } from '../exit-codes.js';
import { parseChoices, parseDuration, parseSize } from '../parse.js';
import { createReporter } from '../progress-view.js';
import { formatTry, githubAnnotations, tryJson, type WriterSummary } from '../try-view.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `--value accounts.email=SQL`, repeated: the table.column before the first `=`, the expression after. */
export function parseValues(items: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const m = /^([^=\s]+\.[^=\s]+)=(.+)$/s.exec(item);
    if (!m) throw new InvalidOptionError('--value', `${JSON.stringify(item)} is not table.column=SQL (an expression over the row number g, e.g. accounts.email='u' || g || '@x.org')`);
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The slowest write of a size and its cause, when one was explained (over 100 ms). */
function worstWrite(f: SizeResult['figures']): WriterSummary['worst'] {
  return typeof f.writer_max_cause === 'string' && typeof f.writer_max_ms === 'number' ? { ms: f.writer_max_ms, cause: f.writer_max_cause } : undefined;
}

interface RawOptions {
  sizes: string;
  targetRows?: string;
  measure: string;
  transaction: string;
  maxBlock: string;
  schema: string[];
  shape?: string;
  pg?: string;
  value: string[];
  lint: string;
  out?: string;
  json?: string;
  scratchUrl?: string;
}

export function tryCommand(): Command {
  return new Command('try')
    .description("measure your own migration files on your schema, on tables filled with synthetic rows at your table's size, with writers beside them")
    .argument('<paths...>', 'migration folders or files (plain SQL, golang-migrate, dbmate, Prisma, Drizzle, node-pg-migrate, graphile-migrate)')
    .option('--sizes <list>', 'rows in each touched table, one measurement per size', '100k,1m')
    .option('--target-rows <n>', 'the size the verdict is for, e.g. your table\'s 40m; beyond the sizes measured it is extrapolated (default: the largest size)')
    .option('--measure <which>', 'last: the newest migration, the earlier ones build the schema; all; or a glob over the paths', 'last')
    .option('--transaction <mode>', `how your tool runs a file: ${TRANSACTION_MODES.join(' | ')}`, 'file')
    .option('--max-block <duration>', 'a transaction that holds writers this long at the target size fails the check', '1s')
    .option('--shape <file>', "production's tables from pgmb shape: they stand for the earlier migrations, their statistics shape the rows, their reltuples is the target size")
    .option('--pg <major>', `the PostgreSQL major of the embedded server: ${PG_MAJORS.join(', ')} (default: the shape's, else ${INSTALLED_MAJOR}); others than ${INSTALLED_MAJOR} are fetched once`)
    .option('--schema <file>', 'schema to build first, e.g. a pg_dump --schema-only or structure.sql (repeatable)', collect, [])
    .option('--value <table.column=SQL>', 'the value of a column, as SQL over the row number g, where the generated one does not fit (repeatable)', collect, [])
    .option('--lint <linter>', 'squawk | none: lint beside the measurement', 'squawk')
    .option('--out <file.csv>', 'append one row per statement, transaction and size (suite "try") for compare and report')
    .option('--json <file>', 'write the verdicts as JSON')
    .option('--scratch-url <url>', 'the server to make scratch databases on, as a role with CREATEDB (default: TEST_DATABASE_URL, DATABASE_URL, else an embedded server)')
    .addHelpText(
      'after',
      `
Each size gets a scratch database (pgmb_try_*, dropped after; the role needs CREATEDB, or use
--scratch-url): the earlier migrations build the
schema, the tables the measured migration touches are filled by the server with values made from
each column's type, and the migration runs as your tool would run it, with two simulated writers
inserting and updating each table it touches.

Exit codes: 0 nothing holds writers >= --max-block at the target size, 1 something does or the
migration failed on the synthetic rows, 2 bad input (nothing ran), 3 database unreachable.

Example:
  pgmb try db/migrations --sizes 100k,1m --target-rows 20m --max-block 500ms`,
    )
    .action(async (paths: string[], o: RawOptions) => {
      const sizes = [...new Set(o.sizes.split(',').map((s) => parseSize(s)))].sort((a, b) => a - b);
      const options: TryOptions = {
        paths,
        schema: o.schema,
        sizes,
        targetRows: o.targetRows === undefined ? undefined : parseSize(o.targetRows),
        measure: o.measure,
        transaction: parseChoices('--transaction', o.transaction, TRANSACTION_MODES)[0] as TransactionMode,
        maxBlockMs: parseDuration('--max-block', o.maxBlock),
        values: parseValues(o.value),
        writers: true,
        shape: o.shape === undefined ? undefined : readShapeFile(o.shape),
      };
      const linter = parseChoices('--lint', o.lint, ['squawk', 'none'] as const)[0];
      const asked = o.pg === undefined ? undefined : parsePgMajor(o.pg, 'try measures on one server');
      // A shape's major is the default only where pgmb starts the server and can start that one.
      const given = o.scratchUrl === undefined ? undefined : { url: o.scratchUrl, source: '--scratch-url' as const };
      const shapeMajor = options.shape && !(given ?? resolveDatabaseUrl()) && PG_MAJORS.includes(options.shape.server.major) ? options.shape.server.major : undefined;
      const pg = asked ?? shapeMajor;
      const plan = await planTry(options);
      const fromShape = options.shape && shapeTarget(plan, options.shape);
      const target = options.targetRows ?? fromShape?.rows ?? sizes[sizes.length - 1]!;
      if (o.shape) {
        const applied = plan.notApplied.length ? `; ${plan.notApplied.length} earlier migration(s) not applied, the shape stands for them` : '';
        process.stdout.write(`schema: ${options.shape!.tables.length} table(s) from ${o.shape}, captured on PostgreSQL ${options.shape!.server.major}${applied}\n`);
        if (options.targetRows === undefined && fromShape) process.stdout.write(`target: ${fromShape.rows.toLocaleString('en-US')} rows, the reltuples of ${fromShape.table} in ${o.shape}\n`);
      }

      const results: SizeResult[] = [];
      const { major, lintResult } = await withDatabase(async ({ url, info }) => {
        const reporter = createReporter(sizes.length);
        try {
          for (const rows of sizes) {
            const r = await measureSize(url, plan, options, rows, reporter);
            results.push(r);
            if (r.run.failed) break;
          }
        } finally {
          reporter.stop();
        }
        if (o.out) {
          const client = await connect(url);
          try {
            const meta = await runMetadata(client);
            appendCsv(o.out, results.flatMap((r) => tryRows(r, plan)).map((f) => toRow(meta, f)));
          } finally {
            await client.end();
          }
        }
        const major = info.major;
        if (options.shape && options.shape.server.major !== major) {
          process.stderr.write(`note: the shape was captured on PostgreSQL ${options.shape.server.major}; this run measures on ${major}\n`);
        }
        const statements = plan.measured.flatMap((m) => m.statements);
        const lintResult: LintResult | undefined = linter === 'squawk' ? await lint(plan.measured.map((m) => m.path), statements, major) : undefined;
        return { major, lintResult };
      }, { pg, url: given });

      const verdicts = tryVerdicts(
        results.map((r) => r.run),
        target,
        options.maxBlockMs,
      );
      const writers: WriterSummary | undefined = results[0] && {
        tables: results[0].writersOn,
        writes: results.reduce((n, r) => n + Number(r.figures.writer_writes ?? 0), 0),
        errors: results.reduce((n, r) => n + Number(r.figures.writer_errors ?? 0), 0),
        errorMessages: results.reduce<string[]>((kept, r) => keepErrorMessages(kept, r.writerErrors), []),
        worst: worstWrite(results.at(-1)!.figures),
      };
      process.stdout.write(formatTry(verdicts, results.filter((r) => !r.run.failed).map((r) => r.run.rows), lintResult, writers));
      const targetFrom = options.targetRows !== undefined ? '--target-rows' : fromShape ? `reltuples of ${fromShape.table}` : 'largest size';
      if (o.json) writeFileSync(o.json, `${JSON.stringify({ pg_major: major, target_from: targetFrom, ...(tryJson(verdicts, lintResult, writers) as object) }, null, 2)}\n`);
      if (o.out) process.stderr.write(`appended ${results.length} size(s) of rows to ${o.out}\n`);
      if (process.env.GITHUB_ACTIONS) for (const line of githubAnnotations(verdicts)) process.stdout.write(`${line}\n`);
      process.exitCode = verdicts.failing ? EXIT.failure : EXIT.ok;
    });
}
