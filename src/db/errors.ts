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

/** SQLSTATE 55P03: lock_timeout (or NOWAIT) ended a wait for a lock. */
export const LOCK_NOT_AVAILABLE = '55P03';

/** SQLSTATEs (and Node socket codes) that mean the connection is gone: a restart, a failover, a kill. */
const CONNECTION_LOST = /^(08...|57P0[123])$/;
const SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT']);

export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && (CONNECTION_LOST.test(e.code) || SOCKET_CODES.has(e.code))) return true;
  return /Connection terminated|connection error and is not queryable|not queryable|terminating connection/i.test(e.message ?? '');
}

/** What to do about the errors a run can expect from the server, by SQLSTATE (or its class). */
const ADVICE: [RegExp, string][] = [
  [/^42501$/, 'the role lacks a privilege: grant it, or run as the table owner'],
  [/^42P01$/, 'an object it needs does not exist (dropped meanwhile?); check the name and rerun'],
  [/^55P03$/, 'a lock was not granted within lock_timeout: a long transaction holds the table (see pg_stat_activity); rerun when it ends'],
  [/^57014$/, 'a statement ran past statement_timeout or was cancelled; rerun (a backfill resumes from its checkpoint)'],
  [/^40P01$/, 'a deadlock with another session; rerun (a backfill resumes from its checkpoint)'],
  [/^53100$/, 'the server is out of disk space: free some, then rerun (a backfill resumes from its checkpoint)'],
  [/^53200$/, 'the server is out of memory; rerun when it has recovered'],
  [/^53300$/, 'the server has no free connection slot (max_connections); use fewer --workers or close idle sessions'],
  [/^(08...|57P0[123])$/, 'the connection to PostgreSQL was lost (restart, failover or a terminated session); rerun: a backfill resumes from its checkpoint'],
  [/^25006$/, 'the server is read-only (a standby, or default_transaction_read_only): point the URL at the primary'],
  [/^3D000$/, 'the database in the URL does not exist'],
  [/^28...$/, 'the server refused the login: check the user and password in the URL'],
];

/**
 * One line for an error we can expect from the server or the network, with its SQLSTATE and what
 * to do; undefined for anything else (a bug, which keeps its stack trace).
 */
export function describeDatabaseError(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e?.message) return undefined;
  const code = e.code ?? '';
  if (SOCKET_CODES.has(code) || (!code && isConnectionLoss(e))) {
    return `${e.message}: the connection to PostgreSQL was lost; rerun: a backfill resumes from its checkpoint`;
  }
  const advice = ADVICE.find(([pattern]) => pattern.test(code));
  return advice ? `${e.message} (SQLSTATE ${code}): ${advice[1]}` : undefined;
}
