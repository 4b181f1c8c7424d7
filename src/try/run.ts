import { withClient } from '../db/connect.js';
import { withDatabase, type LaunchOptions } from '../db/launcher.js';
import { lint, lintStatements } from '../lint/squawk.js';
import type { Reporter, ReporterFactory } from '../measure/reporter.js';
import { keepErrorMessages } from '../measure/traffic-probe.js';
import { appendCsv } from '../results/csv.js';
import { runMetadata } from '../results/metadata.js';
import { toRow } from '../results/row.js';
import { tryRows } from './csv-rows.js';
import { runGroups } from '../measure/statement-timeline.js';
import { captureCommand, commandRunner, type CommandSource } from './command-plan.js';
import { measureSize, type MigrationRunner } from './measure-size.js';
import { schemaTemplate } from './schema-template.js';
import { PROBE_ROWS, nextSizes } from './auto-sizes.js';
import { tryTarget } from './plan.js';
import { planSettings, sessionOptions, settingsLines, type SettingsPlan } from './settings.js';
import type { SizeResult, TryOptions, TryOutcome, TryPlan, WriterSummary } from './types.js';
import { tryVerdicts } from './verdict.js';

/** What `pgmb try` measures: migration files read and planned before any SQL ran, or the team's command, captured first. */
export type TrySource = { plan: TryPlan } | { command: CommandSource };

/** The plan and how it runs: the files' groups by runGroups, or the command captured on an empty database and run again. */
async function planned(url: string, source: TrySource, options: TryOptions, settings: SettingsPlan, reporter: Reporter): Promise<{ plan: TryPlan; runner: MigrationRunner }> {
  if ('plan' in source) return { plan: source.plan, runner: (client, watcher, relations) => runGroups(client, watcher, source.plan.groups, relations, { retries: options.retries }) };
  const captured = await captureCommand(url, source.command, reporter);
  return { plan: captured.plan, runner: commandRunner(source.command, captured, sessionOptions(settings, options.lockTimeoutMs)) };
}

/**
 * Each size in turn, up to the first the migration fails on. With --sizes auto, a probe of
 * PROBE_ROWS first, timed, then the sizes nextSizes picks from it and the budget.
 */
async function measureSizes(url: string, source: TrySource, options: TryOptions, reporter: Reporter, settings: SettingsPlan): Promise<{ plan: TryPlan; results: SizeResult[] }> {
  const results: SizeResult[] = [];
  const started = performance.now();
  try {
    const { plan, runner } = await planned(url, source, options, settings, reporter);
    const template = await schemaTemplate(url, plan, options, reporter);
    for (const line of settingsLines(settings)) reporter.log(line);
    const size = { url, template, plan, runner, options, reporter, settings };
    const target = tryTarget(plan, options).rows;
    const sizes = options.budgetMs === undefined ? [...options.sizes] : [Math.min(PROBE_ROWS, target)];
    for (let i = 0; i < sizes.length; i++) {
      const rows = sizes[i]!;
      // Behind the long query at the largest size only: its wait does not grow with the rows, and is added to what the quiet runs carry to the target.
      const largest = i === sizes.length - 1 && (options.budgetMs === undefined || rows >= target);
      const t0 = performance.now();
      const r = await measureSize(size, rows, largest && options.longQueryMs > 0 ? options.longQueryMs : undefined);
      results.push(r);
      if (r.run.failed) break;
      if (options.budgetMs !== undefined && i === 0 && rows < target) {
        const next = nextSizes(target, { rows, ms: performance.now() - t0 }, options.budgetMs - (performance.now() - started));
        for (const n of next.sizes) sizes.push(n);
        reporter.log(
          `sizes auto: ${sizes.map((n) => n.toLocaleString('en-US')).join(', ')} rows for a target of ${target.toLocaleString('en-US')}${next.short ? ` (stopped short: ${next.short})` : ''}`,
        );
      }
    }
    return { plan, results };
  } finally {
    reporter.stop();
  }
}

/** The simulated writers over every size; the worst write is the largest size's, when one was explained (over 100 ms). */
function writerSummary(results: SizeResult[], options: TryOptions): WriterSummary | undefined {
  if (!results[0] || !options.writers) return undefined;
  const f = results.at(-1)!.figures;
  const sum = (pick: (f: SizeResult['figures']) => unknown) => results.reduce((n, r) => n + Number(pick(r.figures) ?? 0), 0);
  return {
    tables: results[0].writersOn,
    connections: options.writers,
    writes: sum((x) => x.writer_writes),
    errors: sum((x) => x.writer_errors),
    errorMessages: results.reduce<string[]>((kept, r) => keepErrorMessages(kept, r.writerErrors), []),
    worst: typeof f.writer_max_cause === 'string' && typeof f.writer_max_ms === 'number' ? { ms: f.writer_max_ms, cause: f.writer_max_cause } : undefined,
    readers: options.readers ? { connections: options.readers, reads: sum((x) => x.reader_reads), errors: sum((x) => x.reader_errors) } : undefined,
  };
}

/**
 * `pgmb try` once the plan is read: every size measured on the server `launch` gives (scratch
 * databases on it), the CSV rows appended, the migration linted, and the verdicts at the target.
 */
export async function runTry(source: TrySource, options: TryOptions, launch: LaunchOptions, newReporter: ReporterFactory): Promise<TryOutcome> {
  const { plan, results, pgMajor, lintResult, settings } = await withDatabase(async ({ url, info }) => {
    // Production's settings sorted out before anything is built: an unknown name is bad input.
    const settings = await withClient(url, (c) => planSettings(c, options.settings));
    // --sizes auto: as many sizes as an unlimited budget would pick; the budget may stop it sooner.
    const count =
      options.budgetMs === undefined ? options.sizes.length : 1 + nextSizes(tryTarget('plan' in source ? source.plan : undefined, options).rows, { rows: PROBE_ROWS, ms: 0 }, Infinity).sizes.length;
    const { plan, results } = await measureSizes(url, source, options, newReporter(count), settings);
    if (options.out) {
      const meta = await withClient(url, runMetadata);
      appendCsv(
        options.out,
        results.flatMap((r) => [...tryRows(r, plan), ...(r.behind ? tryRows(r.behind, plan, true) : [])]).map((f) => toRow(meta, f)),
      );
    }
    const statements = plan.measured.flatMap((m) => m.statements);
    const files = plan.measured.map((m) => m.path);
    const lintResult = options.lint === 'squawk' ? await ('command' in source ? lintStatements(statements, info.major) : lint(files, statements, info.major)) : undefined;
    return { plan, results, pgMajor: info.major, lintResult, settings };
  }, launch);
  const target = tryTarget(plan, options);
  return {
    pgMajor,
    target,
    verdicts: tryVerdicts(
      results.map((r) => r.run),
      target.rows,
      options.maxBlockMs,
      results.at(-1)?.behind,
    ),
    sizes: results.filter((r) => !r.run.failed).map((r) => r.run.rows),
    lint: lintResult,
    writers: writerSummary(results, options),
    appended: options.out ? results.length : 0,
    settings,
  };
}
