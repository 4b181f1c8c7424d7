import type pg from 'pg';
import { mean } from '../../core/numbers.js';
import { snapshotTable, tableChange, type TableSnapshot } from '../table-stats.js';
import type { Probe, ProbeFigures, ProbeTable } from './probe.js';

/** What the operation did to the table: dead tuples left, WAL written, whether it was rewritten. */
export class TableChangeProbe implements Probe {
  private readonly dead: number[] = [];
  private readonly wal: number[] = [];
  private rewritten = false;
  private table?: ProbeTable;
  private before?: TableSnapshot;

  /** `flushStats`: pg_stat_force_next_flush() is allowed; without it, dead tuples are not reported. */
  constructor(
    private readonly observer: pg.Client,
    private readonly op: pg.Client,
    private readonly flushStats: boolean,
  ) {}

  async prepare(table: ProbeTable): Promise<void> {
    this.table = table;
  }

  async start(): Promise<void> {
    this.before = await snapshotTable(this.observer, this.op, this.table!.relations, this.flushStats);
  }

  async stop(): Promise<void> {
    const after = await snapshotTable(this.observer, this.op, this.table!.relations, this.flushStats);
    const change = await tableChange(this.observer, this.before!, after);
    if (change.deadTuples !== undefined) this.dead.push(change.deadTuples);
    this.wal.push(change.walBytes);
    this.rewritten ||= change.rewritten;
  }

  figures(): ProbeFigures {
    return { dead_tuples: mean(this.dead), wal_bytes: mean(this.wal), table_rewritten: this.rewritten };
  }
}
