import type pg from 'pg';
import { InvalidValueError, NotATableError, UnknownColumnError, UnknownTableError, UnknownTypeError } from '../core/errors.js';
import { parseTableName, quoteIdent, quoteTable, type TableName } from '../core/identifiers.js';
import { RELKIND_NAMES } from './relations.js';

/** `text`, `double precision`, `varchar(20)`, `numeric(10, 2)`, `pg_catalog.int8`, `text[]`. */
const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?( [A-Za-z_][A-Za-z0-9_]*)*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])*$/;

export interface ColumnInfo {
  /**
   * The name after every DDL step of the migration: all DDL runs before the Index, Data and
   * Validate phases, so their steps read this when they run, not when they are planned.
   */
  name: string;
  /** The server's own spelling of the type (format_type), safe to put in SQL. */
  type: string;
  notNull: boolean;
  /** A step of a later phase uses the column: it must not be dropped by the same migration. */
  usedLater?: boolean;
}

export interface TableInfo {
  oid: number;
  /** Exact, schema-qualified: what the catalog says. */
  name: Required<TableName>;
  /** Quoted and qualified, ready for SQL and messages. */
  sql: string;
  columns: Map<string, ColumnInfo>;
  primaryKey: string[];
  /** A partitioned table has no rows of its own: its partitions do. */
  partitioned: boolean;
}

/**
 * A privilege a run will need, declared when it is planned and checked before anything changes:
 * on a managed server nobody is superuser, and "permission denied" halfway through a migration is
 * the worst time to learn it.
 */
export type Requirement =
  /** ALTER TABLE and CREATE INDEX: only the owner (or a member of its role) may. */
  | { kind: 'owner'; table: TableInfo; why: string }
  /** A backfill reads and updates every leaf directly (UPDATE ONLY): a grant on the parent does not reach them. */
  | { kind: 'write'; table: TableInfo; column: string }
  /** The checkpoint table: written if it exists, else created. */
  | { kind: 'state-table'; name: string }
  /** A table of pgmb's own in the current schema (the canary), with the option that avoids it. */
  | { kind: 'create-table'; why: string; avoid: string }
  /** Standbys' replay lag in pg_stat_replication: hidden from roles without pg_read_all_stats. */
  | { kind: 'replication-stats'; why: string; avoid: string };

/**
 * What the migration sees of the database before it changes anything. Operations check their
 * input here, and record what they will change (a new column, a rename) so the next operation of
 * the same migration is checked against the schema as it will be.
 */
export class Catalog {
  private readonly tables = new Map<string, TableInfo>();
  /** What the planned steps will need of the role: checked, all at once, before any of them runs. */
  readonly requirements: Requirement[] = [];

  constructor(readonly client: pg.Client) {}

  async table(input: string): Promise<TableInfo> {
    const ref = parseTableName(input);
    const key = JSON.stringify(ref);
    const cached = this.tables.get(key);
    if (cached) return cached;
    const found = await this.client.query<{ oid: number; nspname: string; relname: string; relkind: string }>(
      `SELECT c.oid::int AS oid, n.nspname, c.relname, c.relkind::text AS relkind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = $1
          AND (CASE WHEN $2::text IS NULL THEN pg_table_is_visible(c.oid) ELSE n.nspname = $2 END)`,
      [ref.name, ref.schema ?? null],
    );
    const row = found.rows[0];
    if (!row) throw new UnknownTableError(quoteTable(ref), await this.otherCase('table', ref));
    if (row.relkind !== 'r' && row.relkind !== 'p') throw new NotATableError(quoteTable(ref), RELKIND_NAMES[row.relkind] ?? `a relation of kind ${row.relkind}`);
    const name = { schema: row.nspname, name: row.relname };
    const columns = await this.client.query<{ attname: string; type: string; attnotnull: boolean }>(
      `SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull
         FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [row.oid],
    );
    const pk = await this.client.query<{ attname: string }>(
      `SELECT a.attname
         FROM pg_index i
         JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`,
      [row.oid],
    );
    const info: TableInfo = {
      oid: row.oid,
      name,
      sql: quoteTable(name),
      columns: new Map(columns.rows.map((c) => [c.attname, { name: c.attname, type: c.type, notNull: c.attnotnull }])),
      primaryKey: pk.rows.map((r) => r.attname),
      partitioned: row.relkind === 'p',
    };
    this.tables.set(key, info);
    return info;
  }

  require(requirement: Requirement): void {
    this.requirements.push(requirement);
  }

  column(table: TableInfo, column: string): ColumnInfo {
    const info = table.columns.get(column);
    if (!info) {
      const other = [...table.columns.keys()].find((c) => c.toLowerCase() === column.toLowerCase());
      throw new UnknownColumnError(table.sql, column, other === undefined ? undefined : quotingHint('column', column, quoteIdent(other)));
    }
    return info;
  }

  /** A hint when the name exists only in another letter case: unquoted names fold to lower case. */
  private async otherCase(what: 'table', ref: TableName): Promise<string | undefined> {
    const { rows } = await this.client.query<{ nspname: string; relname: string }>(
      `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE lower(c.relname) = lower($1) AND c.relkind IN ('r', 'p')
          AND (CASE WHEN $2::text IS NULL THEN pg_table_is_visible(c.oid) ELSE lower(n.nspname) = lower($2) END)
        LIMIT 1`,
      [ref.name, ref.schema ?? null],
    );
    const r = rows[0];
    if (!r) return undefined;
    return quotingHint(what, ref.name, quoteTable(ref.schema === undefined ? { name: r.relname } : { schema: r.nspname, name: r.relname }));
  }

  /**
   * A type name checked twice: it must look like a type (so it is safe to put in DDL as written,
   * modifiers such as varchar(20) included) and the server must know it.
   */
  async type(input: string): Promise<string> {
    const written = input.trim();
    if (!TYPE_NAME.test(written)) throw new UnknownTypeError(input);
    const { rows } = await this.client.query<{ t: string | null }>('SELECT to_regtype($1)::text AS t', [written]).catch(() => ({ rows: [{ t: null }] }));
    if (!rows[0]?.t) throw new UnknownTypeError(input);
    return written;
  }

  /** Whether two type spellings name the same base type (varchar(20) and character varying(20)). */
  async sameBaseType(a: string, b: string): Promise<boolean> {
    const { rows } = await this.client.query<{ same: boolean }>('SELECT to_regtype($1) = to_regtype($2) AS same', [a, b]);
    return rows[0]?.same === true;
  }

  /**
   * Plan, never run, `SELECT 1 FROM table WHERE (condition)`. The dummy parameter forces the
   * extended protocol, which refuses a second statement smuggled in after a semicolon.
   */
  async explainWhere(table: TableInfo, condition: string): Promise<void> {
    await this.client.query(`EXPLAIN SELECT $1::int FROM ${table.sql} WHERE (${condition})`, [1]);
  }

  /** The server casts the value as the column would: a wrong value fails here, not mid-migration. */
  async checkValue(value: string, type: string): Promise<void> {
    try {
      await this.client.query(`SELECT $1::${type}`, [value]);
    } catch (err) {
      throw new InvalidValueError(value, type, (err as Error).message);
    }
  }
}

/** `did you mean "Bio"?` with the exact text to type, shell quoting included. */
function quotingHint(what: string, asked: string, exact: string): string {
  return `a ${what} ${exact} exists: names with capitals or other characters must be double-quoted, e.g. '${exact}' (unquoted, ${asked} is folded to lower case)`;
}
