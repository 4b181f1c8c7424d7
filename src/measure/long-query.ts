import type pg from 'pg';
import { connect } from '../db/connect.js';

/**
 * The long query production always has somewhere: one session per table that opens a transaction,
 * reads the table (taking ACCESS SHARE, held until its end) and runs for `ms` more, as a report or
 * an idle-in-transaction session does. A migration asking for a lock that conflicts with ACCESS
 * SHARE queues behind it, and every reader and writer of the table queues behind the migration;
 * CREATE INDEX CONCURRENTLY waits for it to end (it is an older transaction) but queues nobody.
 */
export class LongQuery {
  private constructor(
    private readonly clients: pg.Client[],
    private readonly running: Promise<unknown>[],
    /** performance.now() times: every session holds its lock from `startedAt`, the last lets go by `endsAt`. */
    readonly startedAt: number,
    readonly ms: number,
  ) {}

  /** Resolves once every session holds its table's ACCESS SHARE. */
  static async start(url: string, tablesSql: string[], ms: number): Promise<LongQuery> {
    const clients = await Promise.all(tablesSql.map(() => connect(url, 'pgmb-long-query')));
    const running: Promise<unknown>[] = [];
    try {
      for (const [i, table] of tablesSql.entries()) {
        const c = clients[i]!;
        // LIMIT 0 reads no row but locks the table as any query of it does, until COMMIT.
        await c.query('BEGIN');
        await c.query(`SELECT 1 FROM ${table} LIMIT 0`);
      }
    } catch (err) {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      throw err;
    }
    const startedAt = performance.now();
    for (const c of clients) running.push(c.query('SELECT pg_sleep($1::float8 / 1000)', [ms]).then(() => c.query('COMMIT')));
    return new LongQuery(clients, running, startedAt, ms);
  }

  /** Wait for the sessions to end, and close them. */
  async finish(): Promise<void> {
    try {
      await Promise.all(this.running);
    } finally {
      await Promise.all(this.clients.map((c) => c.end().catch(() => undefined)));
    }
  }
}
