import type pg from 'pg';
import { DuplicateKeyError, InvalidIndexError } from '../core/errors.js';
import { quoteIdent } from '../core/identifiers.js';
import type { StepContext } from './types.js';

export interface IndexBuild {
  /** The relation indexed: quoted SQL, and its schema (where the index lives too). */
  table: { sql: string; schema: string };
  name: string;
  columns: string[];
  unique: boolean;
}

const UNIQUE_VIOLATION = '23505';

/** CREATE [UNIQUE] INDEX CONCURRENTLY: the statement itself, exposed so tests can check it. */
export function createIndexSql(build: IndexBuild): string {
  const cols = build.columns.map(quoteIdent).join(', ');
  return `CREATE ${build.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${quoteIdent(build.name)} ON ${build.table.sql} (${cols})`;
}

export function indexSql(build: IndexBuild): string {
  return `${quoteIdent(build.table.schema)}.${quoteIdent(build.name)}`;
}

/** Whether the index of that name in the table's schema is valid; undefined when there is none. */
export async function indexValidity(client: pg.Client, build: IndexBuild): Promise<boolean | undefined> {
  const { rows } = await client.query<{ indisvalid: boolean }>(
    `SELECT i.indisvalid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND n.nspname = $2`,
    [build.name, build.table.schema],
  );
  return rows[0]?.indisvalid;
}

/**
 * Build an index without blocking writers: CONCURRENTLY, outside any transaction, then check
 * pg_index.indisvalid. An INVALID index left by an earlier failed attempt (cancelled, or a unique
 * build over duplicates) is dropped CONCURRENTLY and rebuilt; a valid one is left as it is.
 * A unique build over duplicates drops what it left and says which key is duplicated.
 */
export async function buildIndexConcurrently(ctx: StepContext, build: IndexBuild): Promise<'built' | 'exists'> {
  const { client } = ctx;
  const existing = await indexValidity(client, build);
  if (existing === true) return 'exists';
  if (existing === false) {
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${indexSql(build)}`);
    ctx.emit({ type: 'index-invalid-dropped', index: build.name });
  }
  try {
    await client.query(createIndexSql(build));
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
      await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${indexSql(build)}`);
      throw new DuplicateKeyError(build.name, (err as { detail?: string }).detail ?? (err as Error).message);
    }
    throw err;
  }
  if ((await indexValidity(client, build)) !== true) throw new InvalidIndexError(build.name);
  return 'built';
}
