import type pg from 'pg';
import type { TableInfo } from '../catalog.js';
import { quoteIdent } from '../identifiers.js';
import type { StrategyName } from '../types.js';
import type { Cursor } from './checkpoint.js';

export interface BackfillTarget {
  table: TableInfo;
  /** Exact column name. */
  column: string;
  /** Bound as $1 in every statement. */
  value: string;
  where?: string;
}

export interface BatchResult {
  updated: number;
  /** Rows this batch looked at: what the batch sizer learns its rate from. */
  scanned: number;
  cursor: Cursor;
  done: boolean;
}

/** How a backfill walks the table. Batches run inside a transaction the executor owns. */
export interface Strategy {
  readonly name: StrategyName;
  /** Refused at plan time on a table without a primary key. */
  readonly needsPrimaryKey: boolean;
  /** The first position of a main pass, and the estimated rows it will cover. */
  begin(client: pg.Client, target: BackfillTarget): Promise<Cursor>;
  /** Share of this part of the main pass done at this position, 0..1. */
  fraction(cursor: Cursor): number;
  /** Cut a fresh cursor into independent parts for parallel workers (strategies that can). */
  split?(cursor: Cursor, parts: number): Cursor[];
  batch(client: pg.Client, target: BackfillTarget, cursor: Cursor, rows: number): Promise<BatchResult>;
}

/** `UPDATE t SET c = $1`: the value is always the first bound parameter. */
export function updateSet(target: BackfillTarget): string {
  return `UPDATE ${target.table.sql} SET ${quoteIdent(target.column)} = $1`;
}

/** The guard every batch carries: never overwrite a value the application wrote. */
export function stillNull(target: BackfillTarget, alias?: string): string {
  const col = alias ? `${alias}.${quoteIdent(target.column)}` : quoteIdent(target.column);
  return target.where ? `${col} IS NULL AND (${target.where})` : `${col} IS NULL`;
}

/** The planner's row estimate (reltuples), 0 when the table was never analyzed. */
export async function estimatedRows(client: pg.Client, target: BackfillTarget): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = $1', [
    target.table.oid,
  ]);
  return rows[0]?.n ?? 0;
}

/** The table's size in pages now: where a walk that must end stops. */
export async function relationPages(client: pg.Client, target: BackfillTarget): Promise<number> {
  const { rows } = await client.query<{ pages: number }>(
    "SELECT (pg_relation_size($1::oid) / current_setting('block_size')::int)::int AS pages",
    [target.table.oid],
  );
  return rows[0]!.pages;
}
