import type { ExecutionContext } from 'ava';
import type pg from 'pg';
import { connect } from '../../src/db/connect.js';
import { resolveDatabaseUrl } from '../../src/db/url.js';
import { quoteIdent } from '../../src/core/identifiers.js';
import { dropTables } from '../../src/fixtures/cleanup.js';
import { loadTable } from '../../src/fixtures/copy-loader.js';
import type { TableFixture } from '../../src/fixtures/table-fixtures.js';
import { uniqueTableName } from '../../src/fixtures/table-names.js';
import { probeCapabilities } from '../../src/measure/capabilities.js';

/** The database npm test started (or the URL the user set). Never skips: no URL is an error. */
export function testUrl(): string {
  const resolved = resolveDatabaseUrl();
  if (!resolved) {
    throw new Error('no database: run the tests with `npm test` (it starts an embedded PostgreSQL) or set TEST_DATABASE_URL');
  }
  return resolved.url;
}

/** A connection closed when the test ends. */
export async function client(t: ExecutionContext, name = 'pgmb-test'): Promise<pg.Client> {
  const c = await connect(testUrl(), name);
  t.teardown(() => c.end().catch(() => undefined));
  return c;
}

/** A unique table name, dropped when the test ends (pass or fail). */
export function tableName(t: ExecutionContext, label: string): string {
  const name = uniqueTableName(label);
  t.teardown(async () => {
    const c = await connect(testUrl(), 'pgmb-cleanup');
    await dropTables(c, [name]).finally(() => c.end());
  });
  return name;
}

/** A seed-shaped table of `rows` rows loaded with COPY, dropped when the test ends. */
export async function fixture(t: ExecutionContext, c: pg.Client, of: TableFixture, rows: number): Promise<string> {
  const name = tableName(t, of.name);
  await loadTable(c, name, of, rows, { primaryKey: 'after' });
  return name;
}

/** A checkpoint table of the test's own, so tests never share state. */
export function stateTable(t: ExecutionContext): string {
  return tableName(t, 'state');
}

export async function scalar<T = number>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await c.query({ text: sql, values: params, rowMode: 'array' });
  return rows[0]?.[0] as T;
}

export const q = quoteIdent;

/** CHECKPOINT where the role may (superuser or pg_checkpoint), so the tests run as an ordinary role too. */
export async function checkpointIfAllowed(c: pg.Client): Promise<void> {
  if ((await probeCapabilities(c)).checkpoint) await c.query('CHECKPOINT');
}

/** The role may CREATE DATABASE (pgmb try's scratch databases need it): tests check both outcomes. */
export async function mayCreateDatabases(c: pg.Client): Promise<boolean> {
  return scalar<boolean>(c, 'SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user');
}
