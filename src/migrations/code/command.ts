import { spawn } from 'node:child_process';

/** The team's own migrate command, as `pgmb try --command` runs it. */
export interface CodeCommand {
  /** Run by `sh -c`, as a CI step runs it. */
  command: string;
  cwd: string;
  /** --env: added to pgmb's own environment and the database's variables (they win). */
  env: Record<string, string>;
}

export interface CommandResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  ms: number;
  /** Its last lines of output (stdout and stderr as they came). */
  tail: string[];
}

const TAIL_LINES = 15;
/** The application_name a command's connections get unless the tool sets its own. */
export const COMMAND_APPLICATION = 'pgmb-try-command';
const LINE_CHARS = 300;

/**
 * The variables a migration tool reads its database from: DATABASE_URL (Rails, most Knex, TypeORM,
 * Sequelize and Django settings read it) and libpq's PG* (psycopg2, so Django and Alembic with an
 * empty URL). SSL and GSS encryption off: the proxy in front of the scratch database speaks plain TCP.
 */
export function databaseVariables(url: string): Record<string, string> {
  const u = new URL(url);
  return {
    DATABASE_URL: url,
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
    // Its connections are the migration's to the slow-write sampler (a tool that names its own wins).
    PGAPPNAME: COMMAND_APPLICATION,
    PGSSLMODE: 'disable',
    PGGSSENCMODE: 'disable',
  };
}

/** Run the command once against the database at `url`, with no input (a tool that asks a question gets end of file). */
export function runCommand(cmd: CodeCommand, url: string): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...databaseVariables(url), ...cmd.env };
    // libpq prefers these to PGHOST and PGPORT: left in, they would lead the tool past the proxy.
    for (const name of ['PGHOSTADDR', 'PGSERVICE', 'PGSERVICEFILE']) if (!(name in cmd.env)) delete env[name];
    const child = spawn('sh', ['-c', cmd.command], { cwd: cmd.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail: string[] = [];
    const keep = (chunk: Buffer) => {
      const lines = chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS)}...` : l));
      tail = [...tail, ...lines].slice(-TAIL_LINES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolve({ code: 127, ms: performance.now() - started, tail: [err.message] }));
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, tail }));
  });
}
