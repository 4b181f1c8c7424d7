import type pg from 'pg';
import { formatDuration } from '../core/format.js';
import { connect } from '../db/connect.js';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch.js';
import { treeMembers } from '../engine/relations.js';
import { fillTables, type FilledTable } from '../fixtures/synthetic-fill.js';
import { tableLabel } from '../fixtures/synthetic-table.js';
import type { BuiltShapes } from '../fixtures/shape/build.js';
import type { CaseTableSource } from '../measure/case-table.js';
import { probeCapabilities } from '../measure/capabilities.js';
import { LockWatcher } from '../measure/locks.js';
import { LongQuery } from '../measure/long-query.js';
import { measureCase, type MeasureContext } from '../measure/measure-case.js';
import { ReplicaLagReader } from '../measure/replica-lag.js';
import { fillProgress, type Reporter } from '../measure/reporter.js';
import type { GroupRun } from '../measure/statement-timeline.js';
import type { WriteTarget } from '../measure/workloads/writes.js';
import { keysToCome, withKeysToCome } from './keys-to-come.js';
import { resolveTargets } from './schema.js';
import type { SchemaTemplate } from './schema-template.js';
import { applySettings, memoryLimits, type SettingsPlan } from './settings.js';
import { sizeRun } from './size-run.js';
import type { ScenarioResult, SizeResult, TryOptions, TryPlan } from './types.js';

/**
 * How the measured migration runs in a filled database at `url`: a file's groups by runGroups on
 * `client`, or the team's command through the proxy (`client` then only observes).
 */
export type MigrationRunner = (client: pg.Client, watcher: LockWatcher, relations: number[], url: string) => Promise<GroupRun[]>;

/** What every size of one `pgmb try` shares: the server, the schema's template, the plan, how it runs, and the session settings. */
export interface SizeContext {
  url: string;
  template: SchemaTemplate;
  plan: TryPlan;
  runner: MigrationRunner;
  options: TryOptions;
  reporter: Reporter;
  settings: SettingsPlan;
}

/** The touched tables once filled: the first is the case's table; all are written, read and watched. */
interface FilledTargets {
  targets: number[];
  main: { label: string; sql: string };
  touched: FilledTable['table'][];
  fillMs: number;
}

/** Fill the tables the migration touches with `rows` synthetic rows, on a connection closed after. */
async function fill(url: string, plan: TryPlan, options: TryOptions, shapes: BuiltShapes['tables'] | undefined, rows: number, reporter: Reporter): Promise<FilledTargets> {
  const client = await connect(url, 'pgmb-try');
  try {
    const started = performance.now();
    const targets = await resolveTargets(client, plan);
    const { filled, notes } = await withKeysToCome(client, keysToCome(plan), () => fillTables(client, targets, rows, { overrides: options.values, shapes }, fillProgress(reporter)));
    for (const note of [...notes, ...filled.flatMap((f) => f.table.notes)]) reporter.log(`fill: ${note}`);
    const touched = filled.filter((f) => targets.includes(f.table.oid)).map((f) => f.table);
    return { targets, main: await tableLabel(client, targets[0]!), touched, fillMs: performance.now() - started };
  } finally {
    await client.end();
  }
}

/** The filled tables as a case's table: nothing to load, every touched table written and watched. */
function filledTables(t: FilledTargets): CaseTableSource {
  return {
    owned: false,
    load: async () => ({ name: t.main.label, sql: t.main.sql }),
    relations: async (c) => [...new Set((await Promise.all(t.targets.map((oid) => treeMembers(c, oid)))).flat().map((m) => m.oid))],
    writeTo: () => t.touched.map((table): WriteTarget => ({ sql: table.sql, columns: table })),
  };
}

/** Could a long reader's ACCESS SHARE stop this statement? Only ACCESS EXCLUSIVE conflicts with it; CONCURRENTLY waits for older transactions. */
const waitsBehindReaders = (runs: GroupRun[]) => runs.some((g) => g.statements.some((s) => s.locks.includes('AccessExclusiveLock') || /\bCONCURRENTLY\b/i.test(s.statement.sql)));

/**
 * The migration run once in the database at `url` through measureCase, simulated traffic on every
 * touched table; with `longQueryMs`, a long query holds each touched table from just before it.
 */
async function measureScenario(size: SizeContext, url: string, t: FilledTargets, rows: number, longQueryMs?: number): Promise<{ result: ScenarioResult; runs: GroupRun[] }> {
  const { plan, options, reporter } = size;
  const client = await connect(url, 'pgmb-try');
  const observer = await connect(url, 'pgmb-observer', { instrument: true });
  const watcher = await LockWatcher.open(url);
  try {
    await applySettings(client, size.settings, options.lockTimeoutMs);
    const ctx: MeasureContext = {
      url,
      client,
      observer,
      options: { writers: options.writers > 0, readers: options.readers > 0, connections: { writers: options.writers, readers: options.readers }, standby: false },
      reporter,
      lag: new ReplicaLagReader(observer),
      capabilities: await probeCapabilities(client),
    };
    const scenario = longQueryMs ? `behind a ${formatDuration(longQueryMs / 1000)} query` : 'quiet';
    const measured = await measureCase<GroupRun[]>(ctx, {
      label: `try ${rows.toLocaleString('en-US')} rows, ${scenario}`,
      table: filledTables(t),
      rows,
      iterations: 1,
      runReportsLocks: true,
      run: async (table) => {
        ctx.reporter.caseStarted(`running ${plan.measured.map((m) => m.path).join(', ')} on ${rows.toLocaleString('en-US')} rows, ${scenario}`);
        const long = longQueryMs
          ? await LongQuery.start(
              url,
              t.touched.map((x) => x.sql),
              longQueryMs,
            )
          : undefined;
        try {
          const runs = await size.runner(client, watcher, table.relations, url);
          return { locks: runs.flatMap((g) => g.statements.flatMap((s) => s.locks)), detail: runs };
        } finally {
          await long?.finish();
        }
      },
    });
    // The traffic has stopped: every write or read a lock held has finished and has its latency.
    const { writers, readers, details, figures } = measured;
    const runs = details[0]!;
    const held = { writers: (from: number, to: number) => writers.heldWithin(from, to), readers: (from: number, to: number) => readers.heldWithin(from, to) };
    const run = { ...sizeRun(rows, runs, held), memory: await memoryLimits(client, Number(figures.table_bytes_before ?? 0) / rows) };
    return { result: { run, figures: { ...figures, setup_ms: t.fillMs }, writersOn: t.touched.map((x) => x.label), writerErrors: writers.errorMessages() }, runs };
  } finally {
    await Promise.all([client.end(), observer.end(), watcher.close()].map((p) => p.catch(() => undefined)));
  }
}

/**
 * One size: a scratch database cloned from the schema's template, the touched tables filled with
 * `rows` synthetic rows, then the measured migration with traffic beside it. With `longQueryMs`,
 * the filled database is copied first and the migration measured a second time in the copy, behind
 * a long query, where the first run shows a statement it could stop. Scratch databases are dropped
 * whatever happens.
 */
export async function measureSize(size: SizeContext, rows: number, longQueryMs?: number): Promise<SizeResult> {
  const { url, template, reporter } = size;
  const made: ScratchDatabase[] = [];
  try {
    const scratch = await createScratchDatabase(url, template.name);
    made.push(scratch);
    const filled = await fill(scratch.url, size.plan, size.options, template.shapes, rows, reporter);
    if (longQueryMs) made.push(await createScratchDatabase(url, scratch.name, { fileCopy: true }));
    const started = performance.now();
    const quiet = await measureScenario(size, scratch.url, filled, rows);
    const copy = made[1];
    const behind = copy && waitsBehindReaders(quiet.runs) ? (await measureScenario(size, copy.url, filled, rows, longQueryMs)).result : undefined;
    reporter.log(`${rows.toLocaleString('en-US')} rows: measured in ${formatDuration((performance.now() - started) / 1000)} (fill ${formatDuration(filled.fillMs / 1000)})`);
    if (copy && !behind) reporter.log(`long query: not measured again, as no statement took a lock a reader's ACCESS SHARE stops or waits for older transactions`);
    return { ...quiet.result, behind: behind && { ...behind, longQueryMs: longQueryMs! } };
  } finally {
    for (const db of made.reverse()) await db.drop();
  }
}
