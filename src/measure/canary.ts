import { withClient } from '../db/connect.js';
import { isConnectionLoss } from '../db/errors.js';
import { quoteIdent } from '../core/identifiers.js';
import { dropTables } from '../fixtures/cleanup.js';
import { loadTable } from '../fixtures/copy-loader.js';
import { usersFixture } from '../fixtures/table-fixtures.js';
import { uniqueTableName } from '../fixtures/table-names.js';
import { TrafficProbe } from './traffic-probe.js';
import { DEFAULT_WRITERS, writes } from './workloads/writes.js';

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
  private started?: Promise<{ table: string; probe: TrafficProbe }>;

  constructor(
    private readonly url: string,
    private readonly onStart: (table: string) => void = () => undefined,
  ) {}

  async recentP99Ms(): Promise<number> {
    this.started ??= this.start();
    return (await this.started).probe.recentP99Ms();
  }

  private async start() {
    const table = uniqueTableName('canary');
    try {
      await withClient(this.url, (c) => loadTable(c, table, usersFixture, CANARY_ROWS, { primaryKey: 'after' }), 'pgmb-canary');
      const probe = await TrafficProbe.open(this.url, quoteIdent(table), writes(usersFixture), { ...DEFAULT_WRITERS, connections: 1, intervalMs: 100 });
      await probe.start();
      this.onStart(table);
      return { table, probe };
    } catch (err) {
      await this.drop(table);
      throw err;
    }
  }

  /** On a connection of its own, tried again if that one is lost too: whatever happened to the others, the table goes. */
  private async drop(table: string, attempts = 3): Promise<void> {
    try {
      await withClient(this.url, (c) => dropTables(c, [table]), 'pgmb-canary');
    } catch (err) {
      if (attempts <= 1 || !isConnectionLoss(err)) throw err;
      await this.drop(table, attempts - 1);
    }
  }

  /** Stop writing and drop the canary's table (a no-op if it never started). */
  async close(): Promise<void> {
    const s = await this.started?.catch(() => undefined);
    if (!s) return;
    // The canary's table goes whatever stopping the writes said.
    try {
      await s.probe.stop();
    } finally {
      await s.probe.close();
      await this.drop(s.table);
    }
  }
}
