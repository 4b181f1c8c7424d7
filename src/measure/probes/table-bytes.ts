import type pg from 'pg';
import { mean } from '../../core/numbers.js';
import { tableBytes } from '../table-stats.js';
import type { Probe, ProbeFigures, ProbeTable } from './probe.js';

/**
 * The table's bytes before and after the operation, and packed after it (VACUUM FULL, outside
 * the timed window): the floor a migration's growth is measured against.
 */
export class TableBytesProbe implements Probe {
  private readonly before: number[] = [];
  private readonly after: number[] = [];
  private readonly compact: number[] = [];
  private table?: ProbeTable;

  constructor(private readonly client: pg.Client) {}

  async prepare(table: ProbeTable): Promise<void> {
    this.table = table;
    this.before.push(await tableBytes(this.client, table.relations));
  }

  async stop(): Promise<void> {
    const t = this.table!;
    this.after.push(await tableBytes(this.client, t.relations));
    // By oid: a user's migration may have renamed the table (or dropped it: then there is no floor).
    const now = (await this.client.query<{ sql: string | null }>('SELECT $1::oid::regclass::text AS sql FROM pg_class WHERE oid = $1', [t.oid])).rows[0]?.sql;
    if (!now) return;
    await this.client.query(`VACUUM FULL ${now}`);
    this.compact.push(await tableBytes(this.client, t.relations));
  }

  figures(): ProbeFigures {
    const { before, after, compact } = this;
    return {
      table_bytes_before: mean(before),
      table_bytes_after: mean(after),
      table_bytes_compact: mean(compact),
      growth: compact.length === after.length ? mean(after.map((a, i) => a / Math.max(1, compact[i]!))) : undefined,
    };
  }
}
