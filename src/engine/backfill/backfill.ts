import type pg from 'pg';
import { runShortTransaction, sleep } from '../transaction.js';
import type { BackfillOptions, BackfillResult, StepContext, StrategyName } from '../types.js';
import { BatchSizer } from './batch-sizer.js';
import { CheckpointStore, type Checkpoint, type Cursor } from './checkpoint.js';
import { rateAndEta } from './eta.js';
import { classicStrategy } from './strategies/classic.js';
import { ctidStrategy } from './strategies/ctid.js';
import { keysetStrategy } from './strategies/keyset.js';
import type { BackfillTarget, BatchResult, Strategy } from './strategy.js';

export const STRATEGY_IMPLS: Record<StrategyName, Strategy> = {
  ctid: ctidStrategy,
  keyset: keysetStrategy,
  classic: classicStrategy,
};

/** What every worker adds to, and what progress events are made of. */
class RunState {
  readonly started = performance.now();
  rowsThisRun = 0;
  batches = 0;
  /** Wall time during which some worker was paused by the throttle (workers pause together). */
  throttledMs = 0;
  private throttledUntil = 0;
  stopped = false;
  readonly fractionAtStart: number;
  /** Estimated rows of the main pass: the parts' totals, fixed when it began. */
  private readonly totalRows: number;

  constructor(
    private readonly ctx: StepContext,
    private readonly target: BackfillTarget,
    private readonly strategy: Strategy,
    readonly parts: Checkpoint[],
    private readonly rowsBefore: number,
    private readonly batchesBefore: number,
  ) {
    this.totalRows = parts.reduce((n, p) => n + p.cursor.totalRows, 0);
    this.fractionAtStart = this.fraction();
  }

  /** A worker waited `ms` until now: count only the part no other worker's wait already covered. */
  addThrottled(ms: number): void {
    if (ms <= 0) return;
    const end = performance.now();
    this.throttledMs += Math.max(0, end - Math.max(end - ms, this.throttledUntil));
    this.throttledUntil = end;
  }

  /** The main pass's share done: the parts' fractions weighted by their estimated rows. */
  fraction(): number {
    if (this.parts.every((p) => p.finished)) return 1;
    if (this.totalRows <= 0) return 0;
    return this.parts.reduce((n, p) => n + (p.finished ? 1 : this.strategy.fraction(p.cursor)) * p.cursor.totalRows, 0) / this.totalRows;
  }

  report(stage: 'main' | 'sweep' | 'done', batchSize: number): void {
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
        throttledMs: this.throttledMs,
        stage,
      },
    });
  }
}

/**
 * Fill a column batch by batch, one transaction a batch with its checkpoint, throttled, then sweep
 * the whole table once for what is still NULL. Only NULLs are written: a value the application
 * set is never overwritten.
 * A second run resumes from the checkpoints; a run after a finished one only sweeps (a no-op when
 * nothing is NULL). With workers > 1 (ctid), each worker walks its own part of the table.
 */
export async function runBackfill(ctx: StepContext, target: BackfillTarget, options: BackfillOptions): Promise<BackfillResult> {
  const strategy = STRATEGY_IMPLS[options.strategy];
  const store = new CheckpointStore(ctx.client, options.stateTable);
  const oid = target.table.oid;
  await store.ensure();

  let parts = await store.load(oid, target.column);
  const resumed = parts.some((p) => !p.finished);
  if (parts.length === 0 || (resumed && parts[0]!.strategy !== strategy.name)) {
    const first = await strategy.begin(ctx.client, target);
    const cursors = options.workers > 1 && strategy.split ? strategy.split(first, options.workers) : [first];
    parts = await store.start(oid, target.column, target.table.sql, strategy.name, cursors);
  }
  const run = new RunState(
    ctx,
    target,
    strategy,
    parts,
    parts.reduce((n, p) => n + p.rowsDone, 0),
    parts.reduce((n, p) => n + p.batches, 0),
  );

  // The delay gives the server a break after writes; a batch that only read pages needs none.
  const pause = async (afterWrites: boolean) => {
    if (afterWrites && options.delayMs > 0) await sleep(options.delayMs);
    if (options.throttle) run.addThrottled(await options.throttle());
  };

  /** One batch and its checkpoint (`record`) in one short transaction; the sizer learns from its time. */
  const batchWithCheckpoint = async (
    worker: StepContext,
    walk: Strategy,
    cursor: Cursor,
    sizer: BatchSizer,
    record: (c: pg.Client, batch: BatchResult) => Promise<void>,
  ) => {
    const t0 = performance.now();
    const r = (await runShortTransaction(worker, `backfill batch of ${target.table.sql}`, [], {
      asyncCommit: true,
      inside: async (c) => {
        const batch = await walk.batch(c, target, cursor, sizer.size);
        await record(c, batch);
        return batch;
      },
    }))!;
    sizer.observe(r.scanned, performance.now() - t0);
    run.rowsThisRun += r.updated;
    return r;
  };

  // Main pass: each unfinished part on its own connection (the caller's for the first).
  const open = parts.filter((p) => !p.finished);
  const clients: pg.Client[] = [ctx.client];
  try {
    for (let i = 1; i < open.length; i++) clients.push(await ctx.options.connect!());
    const outcomes = await Promise.allSettled(
      open.map((part, i) =>
        (async () => {
          const worker: StepContext = { ...ctx, client: clients[i]! };
          const sizer = new BatchSizer(options.batchSize, options.targetBatchMs);
          for (let wrote = false; !run.stopped; ) {
            await pause(wrote);
            const r = await batchWithCheckpoint(worker, strategy, part.cursor, sizer, (c, b) =>
              store.advance(c, oid, target.column, part.part, b.cursor, b.updated, b.done),
            );
            part.cursor = r.cursor;
            part.finished = r.done;
            run.batches += 1;
            wrote = r.updated > 0;
            run.report('main', sizer.size);
            if (r.done) return;
          }
        })().catch((err: unknown) => {
          // One worker failed: the others stop after their current batch.
          run.stopped = true;
          throw err;
        }),
      ),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await Promise.all(clients.slice(1).map((c) => c.end().catch(() => undefined)));
  }

  // Sweep: one ctid walk over every page the table has now, for rows inserted while the main pass
  // ran or moved by the application's updates. Each page is visited once, so the sweep ends
  // however fast the application inserts; rows it inserts behind the walk are its own to write.
  const sizer = new BatchSizer(options.batchSize, options.targetBatchMs);
  let sweep = await ctidStrategy.begin(ctx.client, target);
  for (let wrote = false; ; ) {
    await pause(wrote);
    // The sweep's own position is not kept: a rerun sweeps again. Its rows count in part 0,
    // whose finished mark it leaves as it is.
    const r = await batchWithCheckpoint(ctx, ctidStrategy, sweep, sizer, async (c, b) => {
      if (b.updated > 0) await store.advance(c, oid, target.column, 0, parts[0]!.cursor, b.updated, false);
    });
    sweep = r.cursor;
    wrote = r.updated > 0;
    if (wrote) {
      run.batches += 1;
      run.report('sweep', sizer.size);
    }
    if (r.done) break;
  }
  run.report('done', sizer.size);
  return { rowsUpdated: run.rowsThisRun, batches: run.batches, ms: performance.now() - run.started, throttledMs: run.throttledMs, resumed, workers: open.length || 1 };
}
