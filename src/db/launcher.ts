import { connect, serverInfo, type ServerInfo } from './connect.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';
import { resolveDatabaseUrl, type ResolvedUrl, type UrlSource } from './url.js';
import { InvalidOptionError } from '../core/errors.js';

export interface Database {
  url: string;
  source: UrlSource | 'embedded';
  info: ServerInfo;
  /** The server started for this run, when no URL was given (a standby can be made from it). */
  embedded?: EmbeddedServer;
}

export interface LaunchOptions {
  /** `--pg`: the PostgreSQL major to start (a URL's server must be that major). */
  pg?: number;
  /** A URL given on the command line (`try --scratch-url`): it wins over the variables. */
  url?: ResolvedUrl;
  /** Where to say which database is used; stderr by default so stdout stays for results. */
  log?: (line: string) => void;
}

/**
 * The one way npm test and the bench get a database: the URL from TEST_DATABASE_URL, then
 * DATABASE_URL, else an embedded server started for this run. The embedded server is always
 * stopped and its data directory removed: on success, on failure and on SIGINT/SIGTERM.
 */
export async function withDatabase<T>(fn: (db: Database) => Promise<T>, options: LaunchOptions = {}): Promise<T> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const resolved = options.url ?? resolveDatabaseUrl();
  let embedded: EmbeddedServer | undefined;
  let url: string;
  if (resolved) {
    url = resolved.url;
  } else {
    embedded = await startEmbedded({ major: options.pg });
    url = embedded.url;
  }

  const onSignal = (signal: NodeJS.Signals) => {
    log(`pgmb: ${signal} received, stopping${embedded ? ' the embedded server' : ''}`);
    void (embedded?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const client = await connect(url);
    const info = await (async () => {
      // Our own server: the bench's work counters read pg_stat_statements (loaded at start).
      if (embedded) await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      return serverInfo(client, url);
    })().finally(() => client.end());
    const source = resolved?.source ?? 'embedded';
    if (options.pg !== undefined && info.major !== options.pg) {
      throw new InvalidOptionError('--pg', `asks for PostgreSQL ${options.pg}, but the server at ${source} is ${info.version}: unset the URL to start an embedded ${options.pg}`);
    }
    log(`database: PostgreSQL ${info.version} at ${info.where} (${source === 'embedded' ? 'embedded, started for this run' : `from ${source}`})`);
    return await fn({ url, source, info, embedded });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await embedded?.stop();
  }
}
