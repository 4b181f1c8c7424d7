import type pg from 'pg';
import type { CaseFigures } from '../../results/row.js';
import { mean } from '../../core/numbers.js';
import type { Probe } from './probe.js';

/** What the measured operation itself did, summed over its statements (its worker connections' included). */
export interface Work {
  walBytes: number;
  walRecords: number;
  walFpi: number;
  blksHit: number;
  blksRead: number;
  blksDirtied: number;
  blksWritten: number;
  rows: number;
}

interface Snapshot extends Work {
  /** Entries pg_stat_statements evicted so far: a window with an eviction cannot be trusted. */
  dealloc: number;
}

/**
 * The operation's own work, from pg_stat_statements: unlike wall time (and unlike the WAL
 * position, which the simulated writers move too), it barely changes between runs of one build
 * on one server, so compare can judge it with a plain threshold. The probes' own connections
 * turn tracking off (connect's `instrument`), so only this database's and role's other
 * statements are counted: the measured operation, its workers and its vacuum rounds.
 */
export class WorkCounters implements Probe {
  private readonly seen: Work[] = [];
  private before: Snapshot | undefined;

  private constructor(private readonly observer: pg.Client) {}

  /** Undefined when the server or the role cannot give them (see capabilities). */
  static open(observer: pg.Client, available: boolean): WorkCounters | undefined {
    return available ? new WorkCounters(observer) : undefined;
  }

  async start(): Promise<void> {
    this.before = await this.snapshot();
  }

  async stop(): Promise<void> {
    const after = await this.snapshot();
    const b = this.before!;
    if (after.dealloc !== b.dealloc) return;
    this.seen.push({
      walBytes: after.walBytes - b.walBytes,
      walRecords: after.walRecords - b.walRecords,
      walFpi: after.walFpi - b.walFpi,
      blksHit: after.blksHit - b.blksHit,
      blksRead: after.blksRead - b.blksRead,
      blksDirtied: after.blksDirtied - b.blksDirtied,
      blksWritten: after.blksWritten - b.blksWritten,
      rows: after.rows - b.rows,
    });
  }

  /** Means over the iterations whose window saw no eviction. */
  figures(): WorkFigures {
    const m = (k: keyof Work) => mean(this.seen.map((w) => w[k]));
    return {
      work_wal_bytes: m('walBytes'),
      work_wal_records: m('walRecords'),
      work_wal_fpi: m('walFpi'),
      work_blks_hit: m('blksHit'),
      work_blks_read: m('blksRead'),
      work_blks_dirtied: m('blksDirtied'),
      work_blks_written: m('blksWritten'),
      work_rows: m('rows'),
    };
  }

  private async snapshot(): Promise<Snapshot> {
    const { rows } = await this.observer.query<Snapshot>(
      `SELECT coalesce(sum(s.wal_bytes), 0)::float8 AS "walBytes", coalesce(sum(s.wal_records), 0)::float8 AS "walRecords",
              coalesce(sum(s.wal_fpi), 0)::float8 AS "walFpi", coalesce(sum(s.shared_blks_hit), 0)::float8 AS "blksHit",
              coalesce(sum(s.shared_blks_read), 0)::float8 AS "blksRead", coalesce(sum(s.shared_blks_dirtied), 0)::float8 AS "blksDirtied",
              coalesce(sum(s.shared_blks_written), 0)::float8 AS "blksWritten", coalesce(sum(s.rows), 0)::float8 AS rows,
              (SELECT dealloc FROM pg_stat_statements_info)::float8 AS dealloc
         FROM pg_stat_statements s
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.userid = current_user::regrole::oid`,
    );
    return rows[0]!;
  }
}

export type WorkFigures = Pick<CaseFigures, 'work_wal_bytes' | 'work_wal_records' | 'work_wal_fpi' | 'work_blks_hit' | 'work_blks_read' | 'work_blks_dirtied' | 'work_blks_written' | 'work_rows'>;
