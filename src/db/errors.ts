import { hostPort } from './url.js';

/** The database could not be reached: one clear line, no stack trace, for people and scripts. */
export class DatabaseUnreachableError extends Error {
  readonly code = 'DATABASE_UNREACHABLE';
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message || (cause as { code?: string }).code : String(cause);
    super(
      `cannot connect to PostgreSQL at ${hostPort(url)} (${reason}). ` +
        'Check that the server is running and accepts TCP connections there (pg_isready -h HOST -p PORT), ' +
        'and that TEST_DATABASE_URL / DATABASE_URL is right; unset both to use an embedded server.',
      { cause },
    );
    this.name = 'DatabaseUnreachableError';
  }
}

/** The embedded server did not start or stop in time, or exited early; carries its own log lines. */
export class EmbeddedServerError extends Error {
  readonly code = 'EMBEDDED_SERVER';
  constructor(message: string, logTail: string[]) {
    super(logTail.length ? `${message}\n--- server log (last lines) ---\n${logTail.join('\n')}` : message);
    this.name = 'EmbeddedServerError';
  }
}
