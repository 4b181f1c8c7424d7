import { randomBytes } from 'node:crypto';
import { InputError } from '../core/errors.js';
import { quoteIdent } from '../core/identifiers.js';
import type pg from 'pg';
import { serverVersion, withClient } from './connect.js';

/** Scratch databases are named so `pgmb clean` and a person can tell them apart. */
export const SCRATCH_PREFIX = 'pgmb_try_';

/** `pgmb clean` leaves younger scratch databases alone: a run may have made one and not yet connected. */
export const SCRATCH_MIN_AGE_S = 5 * 60;

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** `url` pointing at database `name` on the same server. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The server's clock in seconds: names and ages are read by it, whatever the clients' clocks say. */
async function serverEpoch(c: pg.Client): Promise<number> {
  return Math.floor((await c.query<{ s: number }>('SELECT extract(epoch FROM now())::float8 AS s')).rows[0]!.s);
}

/**
 * A database of its own for one measurement of a user's migrations: their schema, types,
 * extensions and tables live in it, never beside anything of theirs, and it is dropped after
 * (WITH (FORCE): a writer left connected cannot keep it alive). Its name carries its creation time
 * (server clock, base 36) and random bytes: two runs at once never share one, and `pgmb clean` can
 * tell a fresh one from a leftover.
 */
export async function createScratchDatabase(url: string, template?: string, options: { fileCopy?: boolean } = {}): Promise<ScratchDatabase> {
  const name = await withClient(url, async (c) => {
    const name = `${SCRATCH_PREFIX}${(await serverEpoch(c)).toString(36)}_${randomBytes(4).toString('hex')}`;
    // A filled database copied as files (PostgreSQL 15+ would otherwise write every block to WAL).
    const fileCopy = options.fileCopy && (await serverVersion(c)).major >= 15;
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}${fileCopy ? ' STRATEGY FILE_COPY' : ''}`);
    } catch (err) {
      if ((err as { code?: string }).code === '42501') {
        throw new InputError(
          'NO_CREATEDB',
          `pgmb try builds your schema in a scratch database of its own, and this role may not create one: GRANT it CREATEDB (ALTER ROLE ... CREATEDB), or give --scratch-url a server where a role may`,
        );
      }
      throw err;
    }
    return name;
  });
  return {
    name,
    url: databaseUrl(url, name),
    drop: () => withClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface ScratchDatabaseState {
  name: string;
  /** Seconds since it was made; undefined for a name without a time (made by an earlier release). */
  ageS?: number;
  /** Sessions connected to it now. */
  sessions: number;
}

/** Seconds since the creation time in a scratch database's name, or undefined when it has none. */
export function scratchAgeS(name: string, nowS: number): number | undefined {
  const stamp = /^([0-9a-z]+)_[0-9a-f]{8}$/.exec(name.slice(SCRATCH_PREFIX.length))?.[1];
  return stamp === undefined ? undefined : nowS - Number.parseInt(stamp, 36);
}

/** Scratch databases on this server, with their age and sessions: what `pgmb clean` looks at. */
export async function listScratchDatabases(client: pg.Client): Promise<ScratchDatabaseState[]> {
  const nowS = await serverEpoch(client);
  const { rows } = await client.query<{ datname: string; sessions: number }>(
    `SELECT d.datname, (SELECT count(*)::int FROM pg_stat_activity a WHERE a.datid = d.oid) AS sessions
       FROM pg_database d WHERE left(d.datname, length($1)) = $1 ORDER BY 1`,
    [SCRATCH_PREFIX],
  );
  return rows.map((r) => ({ name: r.datname, ageS: scratchAgeS(r.datname, nowS), sessions: r.sessions }));
}

/** Why a scratch database is not a leftover (in use, or too young to tell), or undefined if it is one. */
export function scratchInUse(db: ScratchDatabaseState, minAgeS = SCRATCH_MIN_AGE_S): string | undefined {
  if (db.sessions > 0) return `${db.sessions} session(s) connected`;
  if (db.ageS !== undefined && db.ageS < minAgeS) return `made ${db.ageS} s ago (a run may be about to use it)`;
  return undefined;
}

/**
 * Drop a leftover scratch database, never one a session uses: without FORCE, PostgreSQL refuses
 * while anyone is connected (55006), so a run that connected since it was listed keeps it.
 * True when it was dropped.
 */
export async function dropLeftoverScratch(client: pg.Client, name: string): Promise<boolean> {
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '55006') return false;
    throw err;
  }
}

/**
 * Databases kept as templates: a history's schema, built once and cloned for every size and every
 * later run on this server. Not scratch databases (`pgmb clean` keeps them unless told --templates).
 */
export const TEMPLATE_PREFIX = 'pgmb_schema_';

/** The schema templates on this server. */
export async function listTemplates(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1 ORDER BY 1', [TEMPLATE_PREFIX]);
  return rows.map((r) => r.datname);
}

/** Whether a database of this name exists: a template built to the end (it gets its name only then). */
export async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
}

/**
 * Keep a built scratch database as a template under `name`: renamed only once it is complete, so a
 * template that exists is whole. Another run that built the same one first wins (42P04): ours is dropped.
 */
export async function keepAsTemplate(url: string, scratch: ScratchDatabase, name: string): Promise<void> {
  await withClient(url, async (c) => {
    try {
      await c.query(`ALTER DATABASE ${quoteIdent(scratch.name)} RENAME TO ${quoteIdent(name)}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err;
      await scratch.drop();
    }
  });
}
