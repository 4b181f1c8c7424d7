import type pg from 'pg';
import { quoteIdent } from '../core/identifiers.js';
import { loadTable } from '../fixtures/copy-loader.js';
import type { TableFixture } from '../fixtures/table-fixtures.js';
import { uniqueTableName } from '../fixtures/table-names.js';
import type { ProbeTable } from './probes/index.js';
import type { WriteTarget } from './workloads/writes.js';

export type CaseTable = ProbeTable;

/** Where each iteration of a case gets its table, and what the simulated writers write beside it. */
export interface CaseTableSource {
  /** Make and fill the iteration's table, outside the timed window; its name, and as SQL. */
  load(client: pg.Client, rows: number): Promise<{ name: string; sql: string }>;
  /** Every relation whose locks and statistics count (default: the table and its partitions). */
  relations?(client: pg.Client, oid: number): Promise<number[]>;
  writeTo(table: CaseTable): WriteTarget[];
  /** A fresh table of the case's own, dropped after each iteration (and after a failure); otherwise the caller's. */
  owned: boolean;
}

/**
 * A fresh pgmb_ table of a fixture for each iteration: COPY-loaded with its primary key
 * after, or made by `fill` (the setup suite's CREATE TABLE, whose load is the operation).
 */
export function freshTable(fixture: TableFixture, fill?: (client: pg.Client, name: string) => Promise<void>): CaseTableSource {
  return {
    owned: true,
    async load(client, rows) {
      const name = uniqueTableName(fixture.name);
      if (fill) await fill(client, name);
      else await loadTable(client, name, fixture, rows, { primaryKey: 'after' });
      return { name, sql: quoteIdent(name) };
    },
    writeTo: (table) => [{ sql: table.sql, columns: fixture }],
  };
}
