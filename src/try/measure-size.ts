import type pg from 'pg';
import { formatDuration } from '../core/format.js';
import { connect } from '../db/connect.js';
import { createScratchDatabase } from '../db/scratch.js';
import { treeMembers } from '../engine/relations.js';
import { fillTables, type FilledTable } from '../fixtures/synthetic-fill.js';
import { tableLabel } from '../fixtures/synthetic-table.js';
import type { CaseTableSource } from '../measure/case-table.js';
import { probeCapabilities } from '../measure/capabilities.js';
import { LockWatcher } from '../measure/locks.js';
import { measureCase, type MeasureContext } from '../measure/measure-case.js';
import { ReplicaLagReader } from '../measure/replica-lag.js';
import { fillProgress, type Reporter } from '../measure/reporter.js';
import { runGroups, type GroupRun } from '../measure/statement-timeline.js';
import type { WriteTarget } from '../measure/writer-probe.js';
import type { BuiltShapes } from '../fixtures/shape/build.js';
import { keysToCome, withKeysToCome } from './keys-to-come.js';
import { resolveTargets } from './schema.js';
import type { SchemaTemplate } from './schema-template.js';
import { sizeRun } from './size-run.js';
import type { SizeResult, TryOptions, TryPlan } from './types.js';

type UserTables = CaseTableSource & {
  /** The tables the writers wrote to, by name. */
  written: () => string[];
};

/**
 * The user's own tables as a case's table: filled with `rows` synthetic rows by the server, the
 * first one the case's table, all of them written by the simulated writers and watched for locks.
 */
async function userTables(client: pg.Client, targets: number[], plan: TryPlan, options: TryOptions, shapes: BuiltShapes['tables'] | undefined, reporter: Reporter): Promise<UserTables> {
  const main = await tableLabel(client, targets[0]!);
  let touched: FilledTable['table'][] = [];
  return {
    owned: false,
    async load(c, rows) {
      const { filled, notes } = await withKeysToCome(c, keysToCome(plan), () => fillTables(c, targets, rows, { overrides: options.values, shapes }, fillProgress(reporter)));
      for (const note of [...notes, ...filled.flatMap((f) => f.table.notes)]) reporter.log(`fill: ${note}`);
      touched = filled.filter((f) => targets.includes(f.table.oid)).map((f) => f.table);
      return { name: main.label, sql: main.sql };
    },
    relations: async (c) => [...new Set((await Promise.all(targets.map((oid) => treeMembers(c, oid)))).flat().map((m) => m.oid))],
    writeTo: () => touched.map((t): WriteTarget => ({ sql: t.sql, columns: t })),
    written: () => touched.map((t) => t.label),
  };
}

/** The measured migration, run once through measureCase with writers on every touched table. */
async function measureMigration(ctx: MeasureContext, plan: TryPlan, table: UserTables, rows: number): Promise<SizeResult> {
  const watcher = await LockWatcher.open(ctx.url);
  try {
    const measured = await measureCase<GroupRun[]>(ctx, {
      label: `try ${rows.toLocaleString('en-US')} rows`,
      table,
      rows,
      iterations: 1,
      runReportsLocks: true,
      run: async (t) => {
        ctx.reporter.caseStarted(`running ${plan.measured.map((m) => m.path).join(', ')} on ${rows.toLocaleString('en-US')} rows`);
        const runs = await runGroups(ctx.client, watcher, plan.groups, t.relations);
        return { locks: runs.flatMap((g) => g.statements.flatMap((s) => s.locks)), detail: runs };
      },
    });
    // The writers have stopped: every write a lock held has finished and has its latency.
    const { writers, details, figures } = measured;
    return { run: sizeRun(rows, details[0]!, (from, to) => writers.heldWithin(from, to)), figures, writersOn: table.written(), writerErrors: writers.errorMessages() };
  } finally {
    await watcher.close();
  }
}

/**
 * One size: a scratch database cloned from the schema's template, the touched tables filled with
 * `rows` synthetic rows, then the measured migration with writers beside it. The scratch database
 * is dropped whatever happens.
 */
export async function measureSize(url: string, template: SchemaTemplate, plan: TryPlan, options: TryOptions, rows: number, reporter: Reporter): Promise<SizeResult> {
  const scratch = await createScratchDatabase(url, template.name);
  const clients: pg.Client[] = [];
  try {
    const client = await connect(scratch.url, 'pgmb-try');
    const observer = await connect(scratch.url, 'pgmb-observer', { instrument: true });
    clients.push(client, observer);
    const table = await userTables(client, await resolveTargets(client, plan), plan, options, template.shapes, reporter);
    const ctx: MeasureContext = {
      url: scratch.url,
      client,
      observer,
      options: { writers: options.writers, standby: false },
      reporter,
      lag: new ReplicaLagReader(observer),
      capabilities: await probeCapabilities(client),
    };
    const started = performance.now();
    const result = await measureMigration(ctx, plan, table, rows);
    reporter.log(`${rows.toLocaleString('en-US')} rows: measured in ${formatDuration((performance.now() - started) / 1000)} (fill ${formatDuration((result.figures.setup_ms as number) / 1000)})`);
    return result;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await scratch.drop();
  }
}
