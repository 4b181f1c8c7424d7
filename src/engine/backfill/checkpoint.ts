import type pg from 'pg';
import { parseTableName, quoteTable } from '../../core/identifiers.js';
import { inTransaction } from '../transaction.js';
import type { StrategyName } from '../types.js';
import type { Cursor } from './strategy.js';

/** The checkpoint of one part of a backfill: a whole leaf, or a page range of one. */
export interface Checkpoint {
  part: number;
  strategy: StrategyName;
  cursor: Cursor;
  rowsDone: number;
  batches: number;
  /** This part's walk is over. When every part is, a run only sweeps. */
  finished: boolean;
}

/**
 * One row per part of a (table, column) backfill in a small state table. A part's row is written
 * in the same transaction as the batch it describes, so after a crash (SIGKILL included) the
 * checkpoint and the data agree and a rerun redoes at most the batch each worker had in flight.
 * Keyed by the table's oid, so a table dropped and created again under the same name starts fresh.
 */
export class CheckpointStore {
  private readonly table: string;

  constructor(
    private readonly client: pg.Client,
    stateTable: string,
  ) {
    this.table = quoteTable(parseTableName(stateTable));
  }

  async ensure(): Promise<void> {
    await inTransaction(this.client, async () => {
      // Two backfills starting at once must not race on CREATE TABLE IF NOT EXISTS.
      await this.client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.table]);
      await this.client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        table_oid oid NOT NULL,
        column_name text NOT NULL,
        part integer NOT NULL,
        table_name text NOT NULL,
        strategy text NOT NULL,
        cursor jsonb NOT NULL,
        rows_done bigint NOT NULL DEFAULT 0,
        batches integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        PRIMARY KEY (table_oid, column_name, part))`);
    });
  }

  async load(tableOid: number, column: string): Promise<Checkpoint[]> {
    const { rows } = await this.client.query<{
      part: number;
      strategy: StrategyName;
      cursor: Cursor;
      rows_done: number;
      batches: number;
      finished: boolean;
    }>(
      `SELECT part, strategy, cursor, rows_done, batches, finished_at IS NOT NULL AS finished
         FROM ${this.table} WHERE table_oid = $1 AND column_name = $2 ORDER BY part`,
      [tableOid, column],
    );
    // Checkpoints written before 0.3.0 walked the table itself and do not name a leaf.
    return rows.map((r) => ({ part: r.part, strategy: r.strategy, cursor: { ...r.cursor, leaf: r.cursor.leaf ?? tableOid }, rowsDone: r.rows_done, batches: r.batches, finished: r.finished }));
  }

  /** Start a main pass afresh (or again, with another strategy): one row per part. */
  async start(tableOid: number, column: string, tableName: string, strategy: StrategyName, cursors: Cursor[]): Promise<Checkpoint[]> {
    await inTransaction(this.client, async () => {
      await this.client.query(`DELETE FROM ${this.table} WHERE table_oid = $1 AND column_name = $2`, [tableOid, column]);
      for (const [part, cursor] of cursors.entries()) {
        await this.client.query(`INSERT INTO ${this.table} (table_oid, column_name, part, table_name, strategy, cursor) VALUES ($1, $2, $3, $4, $5, $6)`, [
          tableOid,
          column,
          part,
          tableName,
          strategy,
          JSON.stringify(cursor),
        ]);
      }
    });
    return this.load(tableOid, column);
  }

  /**
   * Record a batch inside the batch's own transaction, on the worker's connection; `finished`
   * marks the part's walk over in that same transaction, so it commits or rolls back with it.
   */
  async advance(client: pg.Client, tableOid: number, column: string, part: number, cursor: Cursor, rows: number, finished: boolean): Promise<void> {
    await client.query(
      `UPDATE ${this.table}
          SET cursor = $4, rows_done = rows_done + $5, batches = batches + 1, updated_at = now(),
              finished_at = CASE WHEN $6 THEN now() ELSE finished_at END
        WHERE table_oid = $1 AND column_name = $2 AND part = $3`,
      [tableOid, column, part, JSON.stringify(cursor), rows, finished],
    );
  }
}
