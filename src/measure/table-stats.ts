import type pg from 'pg';

export interface TableSnapshot {
  relfilenode: number;
  walLsn: string;
  deadTuples: number;
}

/** What an operation did to a table: the seed's troubleshooting queries, run automatically. */
export interface TableChange {
  /** The table got a new file: it was rewritten. */
  rewritten: boolean;
  /** WAL written in the whole cluster meanwhile (other sessions included, e.g. probe writers). */
  walBytes: number;
  deadTuples: number;
}

/**
 * Reads the table's file node, the WAL position and its dead tuples. `op` is the connection that
 * ran the operation: it is asked to flush its pending statistics first, so n_dead_tup is current.
 */
export async function snapshotTable(observer: pg.Client, op: pg.Client, tableOid: number): Promise<TableSnapshot> {
  await op.query('SELECT pg_stat_force_next_flush()');
  await observer.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await observer.query<{ relfilenode: number; lsn: string; dead: number }>(
    `SELECT pg_relation_filenode($1::oid)::int8 AS relfilenode, pg_current_wal_lsn()::text AS lsn,
            coalesce((SELECT n_dead_tup FROM pg_stat_all_tables WHERE relid = $1::oid), 0)::int8 AS dead`,
    [tableOid],
  );
  const r = rows[0]!;
  return { relfilenode: r.relfilenode, walLsn: r.lsn, deadTuples: r.dead };
}

export async function tableChange(observer: pg.Client, before: TableSnapshot, after: TableSnapshot): Promise<TableChange> {
  const { rows } = await observer.query<{ bytes: number }>('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::int8 AS bytes', [
    after.walLsn,
    before.walLsn,
  ]);
  return {
    rewritten: before.relfilenode !== after.relfilenode,
    walBytes: rows[0]!.bytes,
    deadTuples: Math.max(0, after.deadTuples - before.deadTuples),
  };
}
