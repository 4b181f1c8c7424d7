/** Partitioned and inheritance trees for tests, each dropped (with everything under it) when the test ends. */
import type { ExecutionContext } from 'ava';
import type pg from 'pg';
import { q, scalar, tableName } from './db.js';

/**
 * Three levels with default partitions: range on k at the root, list on sub under `a`.
 * Leaves: a0, a1, a_def (under a), b, def. Row g has k = g % 25 and sub = g % 3.
 */
export async function partitionedTree(t: ExecutionContext, c: pg.Client, rows: number): Promise<{ root: string; leaves: string[] }> {
  const root = tableName(t, 'hp');
  const n = (s: string) => q(`${root}_${s}`);
  await c.query(`CREATE TABLE ${q(root)} (id bigint NOT NULL, k int NOT NULL, sub int NOT NULL, name text, bio text, PRIMARY KEY (id, k, sub)) PARTITION BY RANGE (k)`);
  await c.query(`CREATE TABLE ${n('a')} PARTITION OF ${q(root)} FOR VALUES FROM (0) TO (10) PARTITION BY LIST (sub)`);
  await c.query(`CREATE TABLE ${n('a0')} PARTITION OF ${n('a')} FOR VALUES IN (0)`);
  await c.query(`CREATE TABLE ${n('a1')} PARTITION OF ${n('a')} FOR VALUES IN (1)`);
  await c.query(`CREATE TABLE ${n('a_def')} PARTITION OF ${n('a')} DEFAULT`);
  await c.query(`CREATE TABLE ${n('b')} PARTITION OF ${q(root)} FOR VALUES FROM (10) TO (20)`);
  await c.query(`CREATE TABLE ${n('def')} PARTITION OF ${q(root)} DEFAULT`);
  await c.query(`INSERT INTO ${q(root)} (id, k, sub, name) SELECT g, g % 25, g % 3, 'user_' || g FROM generate_series(1, $1::int) g`, [rows]);
  await c.query(`VACUUM ANALYZE ${q(root)}`);
  return { root, leaves: ['a0', 'a1', 'a_def', 'b', 'def'].map((s) => `${root}_${s}`) };
}

/** INHERITS: a parent with rows of its own, a wider child with more, a grandchild; only the parent has a key. */
export async function inheritanceTree(t: ExecutionContext, c: pg.Client, parentRows: number, childRows: number): Promise<{ root: string; members: string[] }> {
  const root = tableName(t, 'ih');
  const child = `${root}_child`;
  const grandchild = `${root}_grandchild`;
  await c.query(`CREATE TABLE ${q(root)} (id bigint PRIMARY KEY, name text, bio text)`);
  await c.query(`CREATE TABLE ${q(child)} (extra text DEFAULT repeat('x', 200)) INHERITS (${q(root)})`);
  await c.query(`CREATE TABLE ${q(grandchild)} () INHERITS (${q(child)})`);
  await c.query(`INSERT INTO ${q(root)} (id, name) SELECT g, 'p' || g FROM generate_series(1, $1::int) g`, [parentRows]);
  await c.query(`INSERT INTO ${q(child)} (id, name) SELECT g, 'c' || g FROM generate_series(1, $1::int) g`, [childRows]);
  await c.query(`INSERT INTO ${q(grandchild)} (id, name) SELECT g, 'g' || g FROM generate_series(1, 1000) g`);
  await c.query(`VACUUM ANALYZE ${q(root)}`);
  return { root, members: [root, child, grandchild] };
}

/** NULLs per relation of a tree, ONLY each. */
export async function nullsPer(c: pg.Client, relations: string[], column = 'bio'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of relations) out[r] = await scalar(c, `SELECT count(*)::int FROM ONLY ${q(r)} WHERE ${q(column)} IS NULL`);
  return out;
}
