import pg from 'pg';
import { DatabaseUnreachableError } from './errors.js';
import { describeUrl } from './url.js';

// int8 (counts, sums) as JS numbers: every count here fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

export interface ConnectOptions {
  /**
   * A probe's connection (writers, lock watcher, observer): its statements are kept out of
   * pg_stat_statements, so the work counters hold the measured operation's work alone. Needs a
   * superuser where pg_stat_statements is loaded; without one the counters are off anyway.
   */
  instrument?: boolean;
}

/** A connected client, or a DatabaseUnreachableError that names host:port. */
export async function connect(url: string, applicationName = 'pgmb', options: ConnectOptions = {}): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const code = (err as { code?: string }).code;
    const isNetwork = (code && CONNECTION_ERRORS.has(code)) || /timeout|terminated|connect/i.test((err as Error).message ?? '');
    throw isNetwork ? new DatabaseUnreachableError(url, err) : err;
  }
  // An idle client whose server goes away must not crash the process with an unhandled 'error'.
  client.on('error', () => undefined);
  if (options.instrument) await untrack(client);
  return client;
}

const INSUFFICIENT_PRIVILEGE = '42501';

async function untrack(client: pg.Client): Promise<void> {
  try {
    await client.query("SET pg_stat_statements.track = 'none'");
  } catch (err) {
    if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
  }
}

/** The server process of a connection (what pg_stat_activity calls pid), known once it is connected. */
export function backendPid(client: pg.Client): number | undefined {
  return (client as unknown as { processID: number | null }).processID ?? undefined;
}

/** Run fn with a fresh connection that is always closed. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>, applicationName?: string): Promise<T> {
  const client = await connect(url, applicationName);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server's version as it prints it (`15.20 (Debian ...)`) and its major. */
export interface ServerVersion {
  version: string;
  major: number;
}

export interface ServerInfo extends ServerVersion {
  where: string;
}

export async function serverVersion(client: pg.Client): Promise<ServerVersion> {
  const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  return { version: rows[0]!.v, major: Number.parseInt(rows[0]!.v, 10) };
}

export async function serverInfo(client: pg.Client, url: string): Promise<ServerInfo> {
  return { where: describeUrl(url), ...(await serverVersion(client)) };
}
