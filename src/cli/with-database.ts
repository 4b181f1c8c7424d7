/**
 * `tsx src/cli/with-database.ts -- COMMAND ARGS...`: run a command against the project's database.
 * npm test uses it to give every ava worker one shared server: the URL travels in TEST_DATABASE_URL.
 */
import { spawn } from 'node:child_process';
import { withDatabase } from '../db/launcher.js';
import { EXIT } from './exit-codes.js';
import { runMain } from './run-main.js';

const argv = process.argv.slice(2);
const command = argv[0] === '--' ? argv.slice(1) : argv;

runMain(async () => {
  if (command.length === 0) {
    process.stderr.write('usage: with-database -- COMMAND [ARGS...]\n');
    return EXIT.usage;
  }
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
  );
});
