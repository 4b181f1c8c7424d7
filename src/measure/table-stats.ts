import type pg from 'pg';

export interface TableSnapshot {
  /** Undefined when statistics could not be flushed first: a stale count is not reported. */
  /** The file nodes of the table's leaves (itself when not partitioned). */
  relfilenodes: string;
  walLsn: string;
  deadTuples?: number;
}

/** What an operation did to a table: the seed's troubleshooting queries, run automatically. */
export interface TableChange {
  /** The table got a new file: it was rewritten. */
  rewritten: boolean;
  /** WAL written in the whole cluster meanwhile (other sessions included, e.g. probe writers). */
  walBytes: number;
  deadTuples?: number;
}

/**
 * Reads the file nodes of the relations that hold the table's rows (itself, or its partitions), the
 * WAL position and their dead tuples. `op` is the connection that
 * ran the operation: it is asked to flush its pending statistics first, so n_dead_tup is current.
 */
export async function snapshotTable(observer: pg.Client, op: pg.Client, relations: number[], flush: boolean): Promise<TableSnapshot> {
  if (flush) await op.query('SELECT pg_stat_force_next_flush()');
  await observer.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await observer.query<{ nodes: string; lsn: string; dead: number }>(
    `SELECT coalesce(string_agg(pg_relation_filenode(c.oid)::text, ',' ORDER BY c.oid), '') AS nodes,
            pg_current_wal_lsn()::text AS lsn, coalesce(sum(s.n_dead_tup), 0)::int8 AS dead
       FROM pg_class c LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
      WHERE c.oid = ANY($1::oid[]) AND c.relkind = 'r'`,
    [relations],
  );
  const r = rows[0]!;
  return { relfilenodes: r.nodes, walLsn: r.lsn, deadTuples: flush ? r.dead : undefined };
}

/** The bytes of the table's rows (heap, TOAST and their maps) over the relations that hold them; indexes apart. */
export async function tableBytes(client: pg.Client, relations: number[]): Promise<number> {
  const { rows } = await client.query<{ n: number }>("SELECT coalesce(sum(pg_table_size(oid)), 0)::float8 AS n FROM pg_class WHERE oid = ANY($1::oid[]) AND relkind = 'r'", [relations]);
  return rows[0]!.n;
}

export async function tableChange(observer: pg.Client, before: TableSnapshot, after: TableSnapshot): Promise<TableChange> {
  const { rows } = await observer.query<{ bytes: number }>('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::int8 AS bytes', [after.walLsn, before.walLsn]);
  return {
    rewritten: before.relfilenodes !== after.relfilenodes,
    walBytes: rows[0]!.bytes,
    deadTuples: after.deadTuples === undefined || before.deadTuples === undefined ? undefined : Math.max(0, after.deadTuples - before.deadTuples),
  };
}
