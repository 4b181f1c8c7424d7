import type pg from 'pg';
import type { TableInfo } from '../catalog.js';
import { quoteIdent } from '../../core/identifiers.js';
import type { Leaf } from '../relations.js';
import type { VacuumPolicy } from './vacuum-behind.js';

/** A strategy's position, stored as jsonb; each strategy adds its own fields. */
export interface Cursor {
  /** The leaf this part walks (the table itself when it has no partitions or children). */
  leaf: number;
  /** Estimated rows this part of the main pass covers, fixed when it begins. */
  totalRows: number;
  [field: string]: unknown;
}

export interface BackfillTarget {
  /** The table as the user named it: the root of a partitioned or inheritance tree, or a plain table. */
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

/**
 * How a backfill walks one leaf (a plain table is its own single leaf), and what it needs and
 * defaults to. Batches run inside a transaction the executor owns. Each is listed once, in
 * strategies/index.ts.
 */
export interface Strategy<Name extends string> {
  /** What --strategy, progress and the checkpoints call it: a literal type, so the registry's names are a closed union. */
  readonly name: Name;
  /** Refused at plan time on a leaf without a primary key. */
  readonly needsPrimaryKey: boolean;
  /** Vacuum behind the walk when the caller names no policy: on where it was measured to help. */
  readonly defaultVacuum: VacuumPolicy;
  /** The first position of a leaf's main pass, and the estimated rows it will cover. */
  begin(client: pg.Client, target: BackfillTarget, leaf: Leaf): Promise<Cursor>;
  /** Share of this part of the main pass done at this position, 0..1. */
  fraction(cursor: Cursor): number;
  /** Cut a fresh cursor into independent parts for parallel workers (strategies that can). */
  split?(cursor: Cursor, parts: number): Cursor[];
  batch(client: pg.Client, target: BackfillTarget, leaf: Leaf, cursor: Cursor, rows: number): Promise<BatchResult>;
}

/** `UPDATE ONLY leaf SET c = $1`: the value is always the first bound parameter. */
export function updateSet(target: BackfillTarget, leaf: Leaf): string {
  return `UPDATE ONLY ${leaf.sql} SET ${quoteIdent(target.column)} = $1`;
}

/** The guard every batch carries: never overwrite a value the application wrote. */
export function stillNull(target: BackfillTarget, alias?: string): string {
  const col = alias ? `${alias}.${quoteIdent(target.column)}` : quoteIdent(target.column);
  return target.where ? `${col} IS NULL AND (${target.where})` : `${col} IS NULL`;
}

export interface RelationSize {
  /** The planner's row estimate (reltuples), 0 when never analyzed. */
  rows: number;
  /** Pages the planner last saw (relpages). */
  statPages: number;
  /** Pages the file has now: where a walk that must end stops. */
  pages: number;
}

export async function relationSize(client: pg.Client, leaf: Leaf): Promise<RelationSize> {
  const { rows } = await client.query<RelationSize>(
    `SELECT greatest(reltuples, 0)::float8 AS rows, relpages::int AS "statPages",
            (pg_relation_size(oid) / current_setting('block_size')::int)::int AS pages
       FROM pg_class WHERE oid = $1`,
    [leaf.oid],
  );
  return rows[0] ?? { rows: 0, statPages: 0, pages: 0 };
}
