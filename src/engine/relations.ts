import type pg from 'pg';
import { quoteTable } from '../core/identifiers.js';

/**
 * A relation with storage that a backfill walks on its own with `UPDATE ONLY`: a plain table, a
 * leaf partition, or a member of an old-style inheritance tree (whose parent has rows of its own).
 */
export interface Leaf {
  oid: number;
  /** Quoted and qualified. */
  sql: string;
  /** Its own primary key (inheritance children do not inherit one). */
  primaryKey: string[];
}

/** What pg_class.relkind means, for messages that name what the user pointed at. */
export const RELKIND_NAMES: Record<string, string> = {
  r: 'a table',
  p: 'a partitioned table',
  v: 'a view',
  m: 'a materialized view',
  f: 'a foreign table',
  S: 'a sequence',
  c: 'a composite type',
  i: 'an index',
  I: 'a partitioned index',
  t: 'a TOAST table',
};

export interface TreeMember {
  oid: number;
  sql: string;
  schema: string;
  relkind: string;
  depth: number;
  /** The member it is a partition or child of; undefined for the root. */
  parent?: number;
  primaryKey: string[];
}

/**
 * Every relation under `rootOid` (itself included), declarative partitions and INHERITS children
 * alike: pg_inherits holds both, at every level. pg_partition_tree() would miss old-style children.
 */
export async function treeMembers(client: pg.Client, rootOid: number): Promise<TreeMember[]> {
  const { rows } = await client.query<{ oid: number; nspname: string; relname: string; relkind: string; depth: number; parent: number | null; pk: string[] }>(
    `WITH RECURSIVE tree(oid, depth, parent) AS (
        SELECT $1::oid, 0, NULL::oid
        UNION
        SELECT i.inhrelid, t.depth + 1, i.inhparent FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)
     SELECT c.oid::int AS oid, n.nspname, c.relname, c.relkind::text AS relkind, min(t.depth)::int AS depth,
            min(t.parent::int8)::int AS parent,
            array(SELECT a.attname::text
                    FROM pg_index x
                    JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
                    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                   WHERE x.indrelid = c.oid AND x.indisprimary ORDER BY k.ord) AS pk
       FROM tree t JOIN pg_class c ON c.oid = t.oid JOIN pg_namespace n ON n.oid = c.relnamespace
      GROUP BY c.oid, n.nspname, c.relname, c.relkind
      ORDER BY min(t.depth), c.oid`,
    [rootOid],
  );
  return rows.map((r) => ({
    oid: r.oid,
    sql: quoteTable({ schema: r.nspname, name: r.relname }),
    schema: r.nspname,
    relkind: r.relkind,
    depth: r.depth,
    parent: r.parent ?? undefined,
    primaryKey: r.pk,
  }));
}

/** The members that hold rows: what a backfill walks, each on its own. */
export function leavesOf(members: readonly TreeMember[]): Leaf[] {
  return members.filter((m) => m.relkind === 'r').map(({ oid, sql, primaryKey }) => ({ oid, sql, primaryKey }));
}

/** The current leaves of a tree (a partition may have been created, attached or detached meanwhile). */
export async function listLeaves(client: pg.Client, rootOid: number): Promise<Leaf[]> {
  return leavesOf(await treeMembers(client, rootOid));
}

/** Partitioned members of a tree whose partition key has this column: a backfill of it would move rows. */
export async function partitionKeyUsers(client: pg.Client, tree: readonly TreeMember[], column: string): Promise<string[]> {
  const members = tree.filter((m) => m.relkind === 'p');
  if (members.length === 0) return [];
  const { rows } = await client.query<{ oid: number }>(
    `SELECT p.partrelid::int AS oid FROM pg_partitioned_table p
       JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attname = $2
      WHERE p.partrelid = ANY($1::oid[]) AND a.attnum = ANY(p.partattrs::int2[])`,
    [members.map((m) => m.oid), column],
  );
  return members.filter((m) => rows.some((r) => r.oid === m.oid)).map((m) => m.sql);
}
