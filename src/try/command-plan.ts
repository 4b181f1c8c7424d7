import { InputError } from '../core/errors.js';
import { formatDuration } from '../core/format.js';
import { createScratchDatabase } from '../db/scratch.js';
import { WireProxy, type WireStatement } from '../db/wire-proxy.js';
import { measureCommand } from '../measure/command-timeline.js';
import type { Reporter } from '../measure/reporter.js';
import { runCommand, type CodeCommand, type CommandResult } from '../migrations/code/command.js';
import { committed, splitMigrations, type CapturedMigration } from '../migrations/code/split.js';
import { isBookkeeping, MeasuredStatements, replayMigration } from '../migrations/code/statements.js';
import type { CodeTool } from '../migrations/code/tools/index.js';
import { loadParser } from '../migrations/parse.js';
import type { Migration } from '../migrations/types.js';
import type { MigrationRunner } from './measure-size.js';
import { migrationMatcher } from './plan.js';
import type { TryPlan } from './types.js';

/** The team's command and the tools whose history tables name its migrations (try --command). */
export interface CommandSource extends CodeCommand {
  tools: readonly CodeTool[];
  /** --measure: `last` (the newest of the team's own, not one the framework ships), or a migration's name or a glob. */
  measure: string;
}

/** The command failed on its own (missing, non-zero exit, a question it asked): exit 2, with its last lines. */
export class CommandFailedError extends InputError {
  constructor(what: string, result: CommandResult) {
    const tail = result.tail.length ? `; its last lines:\n  ${result.tail.join('\n  ')}` : '';
    super('COMMAND_FAILED', `--command ${what} exited with ${result.code ?? 'a signal'}${tail}`);
  }
}

/** What a capture found: the plan (earlier migrations replayed as the schema, the newest measured) and the newest's name. */
export interface CommandPlan {
  plan: TryPlan;
  newest: CapturedMigration;
  /** The newest migration's statements, numbered as the capture saw them: each size's run numbers them the same. */
  measured: MeasuredStatements;
}

/**
 * The migrations and the tool's bookkeeping as statements to replay: every other migration (a
 * framework's own that the tool applied after the measured one too), then what the tool did around
 * the measured one (its lock released, its metadata), so that the tool, run again on the replayed
 * schema, applies the measured migration alone.
 */
async function replayed(migrations: CapturedMigration[], measured: CapturedMigration, after: WireStatement[], tools: readonly CodeTool[]): Promise<Migration[]> {
  // A BEGIN or COMMIT is no bookkeeping (it names no table and sets nothing): only the tool's own statements stay.
  const around = [...measured.statements.slice(0, -1), ...after].filter((w) => isBookkeeping(w, tools));
  const others = await Promise.all(migrations.filter((m) => m !== measured).map(replayMigration));
  return around.length ? [...others, await replayMigration({ name: `${measured.tool.name} bookkeeping`, tool: measured.tool, statements: around })] : others;
}

/** The migration --measure names (the last match), or the newest the team wrote. */
function chosen(migrations: CapturedMigration[], measure: string): CapturedMigration {
  const names = migrations.map((m) => m.name);
  const newestFirst = [...migrations].reverse();
  if (measure === 'last') return newestFirst.find((m) => !m.tool.shipped?.(m.name)) ?? migrations.at(-1)!;
  const hit = migrationMatcher(measure);
  const found = newestFirst.find((m) => hit({ name: m.name, path: m.name }));
  if (!found) throw new InputError('NOTHING_TO_MEASURE', `--measure ${measure} matches no migration the command applied (${names.join(', ')})`);
  return found;
}

/**
 * Run the command once on an empty scratch database through the proxy, and read what it did: its
 * writes to a history table split it into migrations. The newest is measured; the others, and
 * the tool's bookkeeping, build the schema. The scratch database is dropped whatever happens.
 */
export async function captureCommand(url: string, source: CommandSource, reporter: Reporter): Promise<CommandPlan> {
  await loadParser();
  const scratch = await createScratchDatabase(url);
  let statements: WireStatement[];
  try {
    const proxy = await WireProxy.start(scratch.url);
    const result = await runCommand(source, proxy.url).finally(() => proxy.close());
    if (result.code !== 0) throw new CommandFailedError('on an empty database', result);
    statements = proxy.statements();
    reporter.log(`capture: ${source.command} ran ${statements.length} statement(s) on an empty database in ${formatDuration(result.ms / 1000)}`);
  } finally {
    await scratch.drop();
  }
  const { migrations, after } = splitMigrations(committed(statements), source.tools);
  const tables = source.tools.map((t) => t.history).join(', ');
  if (!migrations.length) throw new InputError('NOTHING_TO_MEASURE', `--command recorded no migration in a history table pgmb knows (${tables}): name yours with --history-table`);
  const newest = chosen(migrations, source.measure);
  const measured = new MeasuredStatements(newest.name, source.tools);
  const statementOf = measured.run();
  for (const w of newest.statements) statementOf(w);
  const statementsOfNewest = await measured.all();
  if (!statementsOfNewest.length) throw new InputError('NOTHING_TO_MEASURE', `--command: the newest migration, ${newest.name}, ran no statement but the tool's own bookkeeping`);
  const plan: TryPlan = {
    schema: await replayed(migrations, newest, after, source.tools),
    notApplied: [],
    measured: [{ path: newest.name, format: 'command', name: newest.name, noTransaction: true, statements: statementsOfNewest }],
    readAs: [`${source.command} as ${newest.tool.title}: ${migrations.length} migration(s), ${newest === migrations.at(-1) ? 'the newest' : 'the newest of your own'} measured (${newest.name})`],
    notes: [],
    groups: [],
  };
  reporter.log(`reading ${plan.readAs[0]}`);
  return { plan, newest, measured };
}

/**
 * The command as a size's runner: run again on the filled database (the replayed schema makes the
 * tool apply the newest migration alone), with production's session settings in PGOPTIONS. Its
 * failure on a statement is the migration's (a verdict); any other failure, or not applying the
 * newest migration, is the command's.
 */
export function commandRunner(source: CommandSource, { newest, measured }: CommandPlan, options: string): MigrationRunner {
  const command = options ? { ...source, env: { PGOPTIONS: options, ...source.env } } : source;
  return async (client, _watcher, relations, url) => {
    const { runs, result, statements } = await measureCommand(command, url, client, relations, measured.run());
    if (runs.some((r) => r.failed)) return runs;
    if (result.code !== 0) throw new CommandFailedError('on the filled database', result);
    const applied = splitMigrations(committed(statements), source.tools).migrations.map((m) => m.name);
    if (!applied.includes(newest.name)) {
      throw new InputError(
        'COMMAND_FAILED',
        `--command did not apply ${newest.name} again on the replayed schema (it applied ${applied.join(', ') || 'none'}): does it read its database from DATABASE_URL or PG*?`,
      );
    }
    return runs;
  };
}
