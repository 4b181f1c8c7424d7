import type pg from 'pg';
import type { Leaf } from '../relations.js';
import type { BackfillOptions, StepContext, StrategyName } from '../types.js';
import type { Checkpoint, CheckpointStore } from './checkpoint.js';
import { rateAndEta } from './eta.js';
import type { BackfillTarget, BatchResult, Cursor, Strategy } from './strategy.js';
import type { VacuumBehind } from './vacuum-behind.js';

/**
 * One backfill run: what it walks (its parts, the leaves they are on), what every worker adds to,
 * and the progress events made of it. The main pass, the sweep and the verify all take it.
 */
export class BackfillRun {
  readonly started = performance.now();
  rowsThisRun = 0;
  batches = 0;
  largestBatch = 0;
  /** Wall time during which some worker was paused by the throttle (workers pause together). */
  throttledMs = 0;
  private throttledUntil = 0;
  /** Set when a worker fails: the others stop after their current batch. */
  stopped = false;
  /** Leaves that left the tree (dropped or detached) before their part was walked. */
  readonly goneRelations: string[] = [];
  /** Leaves when the run began, as progress events count them. */
  readonly relations: number;
  readonly fractionAtStart: number;
  /** Estimated rows of the main pass: the parts' totals, fixed when it began. */
  private readonly totalRows: number;
  /** What earlier runs of this main pass did, from the checkpoints. */
  private readonly rowsBefore: number;
  private readonly batchesBefore: number;

  constructor(
    readonly ctx: StepContext,
    readonly target: BackfillTarget,
    readonly options: BackfillOptions,
    readonly strategy: Strategy<StrategyName>,
    private readonly store: CheckpointStore,
    readonly vacuum: VacuumBehind,
    readonly parts: Checkpoint[],
    /** The tree's leaves; listed again when a batch finds one dropped. */
    public leaves: Leaf[],
  ) {
    this.relations = leaves.length;
    this.rowsBefore = parts.reduce((n, p) => n + p.rowsDone, 0);
    this.batchesBefore = parts.reduce((n, p) => n + p.batches, 0);
    this.totalRows = parts.reduce((n, p) => n + p.cursor.totalRows, 0);
    this.fractionAtStart = this.fraction();
  }

  /** Write part `part`'s checkpoint on `client`, inside the transaction of the batch it describes. */
  advance(client: pg.Client, part: number, cursor: Cursor, rows: number, finished: boolean): Promise<void> {
    return this.store.advance(client, this.target.table.oid, this.target.column, part, cursor, rows, finished);
  }

  /** A worker waited `ms` until now: count only the part no other worker's wait already covered. */
  addThrottled(ms: number): void {
    if (ms <= 0) return;
    const end = performance.now();
    this.throttledMs += Math.max(0, end - Math.max(end - ms, this.throttledUntil));
    this.throttledUntil = end;
  }

  counted(batch: BatchResult): void {
    this.rowsThisRun += batch.updated;
    this.largestBatch = Math.max(this.largestBatch, batch.updated);
  }

  /** The main pass's share done: the parts' fractions weighted by their estimated rows. */
  fraction(): number {
    if (this.parts.every((p) => p.finished)) return 1;
    if (this.totalRows <= 0) return 0;
    return this.parts.reduce((n, p) => n + (p.finished ? 1 : this.strategy.fraction(p.cursor)) * p.cursor.totalRows, 0) / this.totalRows;
  }

  report(stage: 'main' | 'sweep' | 'done', batchSize: number, nullsLeft?: number): void {
    const fraction = stage === 'main' ? this.fraction() : 1;
    const { rowsPerSec, etaSec } = rateAndEta(this.rowsThisRun, performance.now() - this.started, this.fractionAtStart, fraction);
    this.ctx.emit({
      type: 'backfill-progress',
      progress: {
        table: this.target.table.sql,
        column: this.target.column,
        strategy: this.strategy.name,
        rowsDone: this.rowsBefore + this.rowsThisRun,
        batches: this.batchesBefore + this.batches,
        fraction,
        totalEstimate: this.totalRows,
        rowsPerSec,
        etaSec: stage === 'main' ? etaSec : 0,
        batchSize,
        largestBatch: this.largestBatch,
        throttledMs: this.throttledMs,
        stage,
        relations: this.relations,
        vacuums: this.vacuum.figures.vacuums,
        nullsLeft,
      },
    });
  }
}
