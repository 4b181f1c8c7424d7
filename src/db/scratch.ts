import { randomBytes } from 'node:crypto';
import { InputError } from '../engine/errors.js';
import { quoteIdent } from '../engine/identifiers.js';
import type pg from 'pg';
import { withClient } from './connect.js';

/** Scratch databases are named so `pgmb clean` and a person can tell them apart. */
export const SCRATCH_PREFIX = 'pgmb_try_';

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own for one measurement of a user's migrations: their schema, types,
 * extensions and tables live in it, never beside anything of theirs, and it is dropped after
 * (WITH (FORCE): a writer left connected cannot keep it alive).
 */
export async function createScratchDatabase(url: string): Promise<ScratchDatabase> {
  const name = `${SCRATCH_PREFIX}${randomBytes(4).toString('hex')}`;
  await withClient(url, async (c) => {
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (err) {
      if ((err as { code?: string }).code === '42501') {
        throw new InputError('NO_CREATEDB', `pgmb try builds your schema in a scratch database of its own, and this role may not create one: GRANT it CREATEDB (ALTER ROLE ... CREATEDB), or point DATABASE_URL at a server where it may`);
      }
      throw err;
    }
  });
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: () => withClient(url, (c) => dropScratchDatabase(c, name)),
  };
}

/** Scratch databases on this server, e.g. left by a `pgmb try` that was killed: what `pgmb clean` drops. */
export async function listScratchDatabases(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1 ORDER BY 1', [SCRATCH_PREFIX]);
  return rows.map((r) => r.datname);
}

export async function dropScratchDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}
