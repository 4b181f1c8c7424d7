/**
 * `tsx src/cli/with-database.ts [--pg N] -- COMMAND ARGS...`: run a command against the project's
 * database. npm test uses it to give every ava worker one shared server: the URL travels in
 * TEST_DATABASE_URL. `--pg N` (or PGMB_PG=N, as in `PGMB_PG=15 npm test`) starts that major.
 */
import { spawn } from 'node:child_process';
import { withDatabase } from '../db/launcher.js';
import { parsePgMajor } from '../db/postgres-versions.js';
import { EXIT } from './exit-codes.js';
import { runMain } from './run-main.js';

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const own = dashes >= 0 ? argv.slice(0, dashes) : [];
const command = dashes >= 0 ? argv.slice(dashes + 1) : argv;
const pgAt = own.indexOf('--pg');
const pgText = pgAt >= 0 ? own[pgAt + 1] : process.env.PGMB_PG || undefined;

runMain(async () => {
  if (command.length === 0 || own.some((a, i) => a !== '--pg' && own[i - 1] !== '--pg')) {
    process.stderr.write('usage: with-database [--pg N] -- COMMAND [ARGS...]\n');
    return EXIT.usage;
  }
  const pg = pgText === undefined ? undefined : parsePgMajor(pgText, 'the test launcher starts one server');
  return withDatabase(
    ({ url, source }) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(command[0]!, command.slice(1), {
          stdio: 'inherit',
          shell: process.platform === 'win32',
          env: { ...process.env, TEST_DATABASE_URL: url, PGMB_DATABASE_SOURCE: source },
        });
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve(code ?? (signal ? EXIT.interrupted : EXIT.failure)));
      }),
    { pg },
  );
});
