import { InputError } from '../core/errors.js';
import { formatDuration } from '../core/format.js';
import { createScratchDatabase } from '../db/scratch.js';
import { WireProxy, type WireStatement } from '../db/wire-proxy.js';
import { measureCommand } from '../measure/command-timeline.js';
import type { Reporter } from '../measure/reporter.js';
import { runCommand, type CodeCommand, type CommandResult } from '../migrations/code/command.js';
import { committed, splitMigrations, type CapturedMigration } from '../migrations/code/split.js';
import { isBookkeeping, isControl, MeasuredStatements, replayMigration } from '../migrations/code/statements.js';
import type { CodeTool } from '../migrations/code/tools/index.js';
import { loadParser } from '../migrations/parse.js';
import type { Migration } from '../migrations/types.js';
import type { MigrationRunner } from './measure-size.js';
import type { TryPlan } from './types.js';

/** The team's command and the tools whose history tables name its migrations (try --command). */
export interface CommandSource extends CodeCommand {
  tools: readonly CodeTool[];
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
}

/**
 * The migrations and the tool's bookkeeping as statements to replay: every earlier migration, then
 * what the tool did around the newest (its lock released, its metadata), so that the tool, run
 * again on the replayed schema, applies the newest alone.
 */
async function replayed(migrations: CapturedMigration[], after: WireStatement[], tools: readonly CodeTool[]): Promise<Migration[]> {
  const newest = migrations.at(-1)!;
  const around = [...newest.statements.slice(0, -1), ...after].filter((w) => !isControl(w) && isBookkeeping(w, tools));
  const earlier = await Promise.all(migrations.slice(0, -1).map(replayMigration));
  return around.length ? [...earlier, await replayMigration({ name: `${newest.tool.name} bookkeeping`, tool: newest.tool, statements: around })] : earlier;
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
  const newest = migrations.at(-1)!;
  const measured = new MeasuredStatements(newest.name, source.tools);
  for (const w of newest.statements) measured.of(w);
  const statementsOfNewest = await measured.all();
  if (!statementsOfNewest.length) throw new InputError('NOTHING_TO_MEASURE', `--command: the newest migration, ${newest.name}, ran no statement but the tool's own bookkeeping`);
  const plan: TryPlan = {
    schema: await replayed(migrations, after, source.tools),
    notApplied: [],
    measured: [{ path: newest.name, format: 'command', name: newest.name, noTransaction: true, statements: statementsOfNewest }],
    readAs: [`${source.command} as ${newest.tool.title}: ${migrations.length} migration(s), the newest measured (${newest.name})`],
    notes: [],
    groups: [],
  };
  reporter.log(`reading ${plan.readAs[0]}`);
  return { plan, newest };
}

/**
 * The command as a size's runner: run again on the filled database (the replayed schema makes the
 * tool apply the newest migration alone), with production's session settings in PGOPTIONS. Its
 * failure on a statement is the migration's (a verdict); any other failure, or not applying the
 * newest migration, is the command's.
 */
export function commandRunner(source: CommandSource, newest: CapturedMigration, options: string): MigrationRunner {
  const command = options ? { ...source, env: { PGOPTIONS: options, ...source.env } } : source;
  return async (client, _watcher, relations, url) => {
    const { runs, result, statements } = await measureCommand(command, url, client, relations, new MeasuredStatements(newest.name, source.tools));
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
