/** `pgmb`: the command line of pg-migration-bench. */
import { Command, CommanderError } from 'commander';
import { backfillCommand } from './commands/backfill.js';
import { benchCommand } from './commands/bench.js';
import { cleanCommand } from './commands/clean.js';
import { compareCommand } from './commands/compare.js';
import { fixtureCommand } from './commands/fixture.js';
import { reportCommand } from './commands/report.js';
import { shapeCommand } from './commands/shape.js';
import { tryCommand } from './commands/try.js';
import { EXIT } from './exit-codes.js';
import { runMain } from './run-main.js';

const program = new Command('pgmb')
  .description('prove and measure zero-downtime schema migrations on a real PostgreSQL')
  .exitOverride()
  .addCommand(tryCommand())
  .addCommand(shapeCommand())
  .addCommand(fixtureCommand())
  .addCommand(benchCommand())
  .addCommand(compareCommand())
  .addCommand(reportCommand())
  .addCommand(backfillCommand())
  .addCommand(cleanCommand());
// --debug is read by runMain before parsing; declared on every command so each accepts and shows it.
program.option('--debug', 'print stack traces for every error');
for (const command of program.commands) command.exitOverride().option('--debug', 'print stack traces for every error');

runMain(async () => {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    // commander has printed its message (or the help) already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
  return (process.exitCode as number | undefined) ?? EXIT.ok;
});
