import type pg from 'pg';
import { connect } from '../db/connect.js';
import { quoteIdent } from '../core/identifiers.js';
import { sleep } from '../engine/transaction.js';
import { waitForReplay } from './replica-lag.js';

/**
 * A report query on the standby, as replicas that serve reads run them: a REPEATABLE READ snapshot
 * over the table, held while the operation runs (at most `holdMs`). Replay of anything that removes
 * rows the snapshot still sees (pruning, vacuum) or needs an ACCESS EXCLUSIVE lock waits behind it,
 * up to max_standby_streaming_delay (30 s by default): the commonest reason a standby falls behind.
 */
export class StandbyReader {
  private client?: pg.Client;
  private held: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;
  /** Report queries the standby cancelled to let replay go on. */
  cancelled = 0;

  constructor(
    private readonly standbyUrl: string,
    /** A connection to the primary, to know how far the standby must replay. */
    private readonly primary: pg.Client,
    readonly holdMs: number,
  ) {}

  /** Once the standby has replayed the table's creation, take the snapshot and hold it. */
  async start(table: string): Promise<void> {
    this.client ??= await connect(this.standbyUrl, 'pgmb-standby-report');
    const c = this.client;
    await waitForReplay(this.primary, c);
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await c.query(`SELECT count(*) FROM ${quoteIdent(table)}`);
    const released = new Promise<void>((r) => (this.release = r));
    this.held = Promise.race([released, sleep(this.holdMs)]).then(() => this.end(c));
  }

  /** End the report query now, if it still runs. */
  async stop(): Promise<void> {
    this.release();
    await this.held;
  }

  private async end(c: pg.Client): Promise<void> {
    try {
      await c.query('COMMIT');
    } catch {
      // Cancelled by the standby (its session may be gone): the next start() reconnects.
      this.cancelled += 1;
      this.client = undefined;
      await c.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.stop();
    await this.client?.end().catch(() => undefined);
  }
}
