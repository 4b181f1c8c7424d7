import type pg from 'pg';
import { parseTableName, quoteTable } from '../identifiers.js';
import type { StrategyName } from '../types.js';

/** A strategy's position, stored as jsonb; each strategy adds its own fields. */
export interface Cursor {
  /** Estimated rows the main pass covers, fixed when it begins. */
  totalRows: number;
  [field: string]: unknown;
}

export interface Checkpoint {
  strategy: StrategyName;
  cursor: Cursor;
  rowsDone: number;
  batches: number;
  finished: boolean;
}

/**
 * One row per (table, column) backfill in a small state table. The row is written in the same
 * transaction as the batch it describes, so after a crash (SIGKILL included) the checkpoint and
 * the data agree and a rerun redoes at most the batch that was in flight.
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
    await this.client.query('BEGIN');
    try {
      // Two backfills starting at once must not race on CREATE TABLE IF NOT EXISTS.
      await this.client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.table]);
      await this.client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        table_oid oid NOT NULL,
        column_name text NOT NULL,
        table_name text NOT NULL,
        strategy text NOT NULL,
        cursor jsonb NOT NULL,
        rows_done bigint NOT NULL DEFAULT 0,
        batches integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        PRIMARY KEY (table_oid, column_name))`);
      await this.client.query('COMMIT');
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async load(tableOid: number, column: string): Promise<Checkpoint | undefined> {
    const { rows } = await this.client.query<{
      strategy: StrategyName;
      cursor: Cursor;
      rows_done: number;
      batches: number;
      finished: boolean;
    }>(
      `SELECT strategy, cursor, rows_done, batches, finished_at IS NOT NULL AS finished
         FROM ${this.table} WHERE table_oid = $1 AND column_name = $2`,
      [tableOid, column],
    );
    const r = rows[0];
    return r && { strategy: r.strategy, cursor: r.cursor, rowsDone: r.rows_done, batches: r.batches, finished: r.finished };
  }

  /** Start (or restart with another strategy) a main pass from its first position. */
  async start(tableOid: number, column: string, tableName: string, strategy: StrategyName, cursor: Cursor): Promise<Checkpoint> {
    await this.client.query(
      `INSERT INTO ${this.table} (table_oid, column_name, table_name, strategy, cursor)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (table_oid, column_name)
       DO UPDATE SET strategy = EXCLUDED.strategy, cursor = EXCLUDED.cursor, finished_at = NULL, updated_at = now()`,
      [tableOid, column, tableName, strategy, JSON.stringify(cursor)],
    );
    return (await this.load(tableOid, column))!;
  }

  /** Record a batch; call inside the batch's own transaction. */
  async advance(tableOid: number, column: string, cursor: Cursor, rows: number): Promise<void> {
    await this.client.query(
      `UPDATE ${this.table}
          SET cursor = $3, rows_done = rows_done + $4, batches = batches + 1, updated_at = now()
        WHERE table_oid = $1 AND column_name = $2`,
      [tableOid, column, JSON.stringify(cursor), rows],
    );
  }

  async finish(tableOid: number, column: string): Promise<void> {
    await this.client.query(
      `UPDATE ${this.table} SET finished_at = now(), updated_at = now() WHERE table_oid = $1 AND column_name = $2`,
      [tableOid, column],
    );
  }
}
