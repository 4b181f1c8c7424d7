import type pg from 'pg';
import { connect } from '../db/connect.js';
import { quoteIdent } from '../engine/identifiers.js';
import { dropTables } from '../fixtures/cleanup.js';
import { loadTable } from '../fixtures/copy-loader.js';
import { usersShape } from '../fixtures/shapes.js';
import { uniqueTableName } from '../fixtures/table-names.js';
import { WriterProbe } from './writer-probe.js';

/** Rows the canary table starts with: enough for its updates to find keys. */
const CANARY_ROWS = 200;

/**
 * The application's writes cannot be seen from outside, so on a user's database `pgmb backfill`
 * times writes of its own: one connection, one small INSERT or UPDATE every 100 ms, on a table of
 * pgmb's (gh-ost's heartbeat, timed). Their latency is what any writer pays now for commit, WAL
 * flush and I/O. Row locks on the user's table stay invisible to it; the backfill keeps those
 * short by committing every batch.
 *
 * It starts on the first reading, i.e. before the first batch, once the migration's input has been
 * checked; it uses connections of its own, never the backfill's.
 */
export class Canary {
  private started?: Promise<{ admin: pg.Client; table: string; probe: WriterProbe }>;

  constructor(
    private readonly url: string,
    private readonly onStart: (table: string) => void = () => undefined,
  ) {}

  async recentP99Ms(): Promise<number> {
    this.started ??= this.start();
    return (await this.started).probe.recentP99Ms();
  }

  private async start() {
    const admin = await connect(this.url, 'pgmb-canary');
    const table = uniqueTableName('canary');
    try {
      await loadTable(admin, table, usersShape, CANARY_ROWS, { primaryKey: 'after' });
      const probe = await WriterProbe.open(this.url, quoteIdent(table), usersShape, { connections: 1, intervalMs: 100 });
      await probe.start();
      this.onStart(table);
      return { admin, table, probe };
    } catch (err) {
      await dropTables(admin, [table]).finally(() => admin.end());
      throw err;
    }
  }

  /** Stop writing and drop the canary's table (a no-op if it never started). */
  async close(): Promise<void> {
    const s = await this.started?.catch(() => undefined);
    if (!s) return;
    await s.probe.stop();
    await s.probe.close();
    await dropTables(s.admin, [s.table]).finally(() => s.admin.end());
  }
}
