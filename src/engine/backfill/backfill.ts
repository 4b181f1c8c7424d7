import { sleep, runShortTransaction } from '../transaction.js';
import type { BackfillOptions, BackfillProgress, BackfillResult, StepContext, StrategyName } from '../types.js';
import { BatchSizer } from './batch-sizer.js';
import { CheckpointStore } from './checkpoint.js';
import { rateAndEta } from './eta.js';
import { classicStrategy } from './strategies/classic.js';
import { ctidStrategy } from './strategies/ctid.js';
import { keysetStrategy } from './strategies/keyset.js';
import { sweepBatch, type BackfillTarget, type Strategy } from './strategy.js';

export const STRATEGY_IMPLS: Record<StrategyName, Strategy> = {
  ctid: ctidStrategy,
  keyset: keysetStrategy,
  classic: classicStrategy,
};

/**
 * Fill a column batch by batch, one transaction a batch with its checkpoint, throttled, then sweep
 * what is still NULL. Only NULLs are written: a value the application set is never overwritten.
 * A second run resumes from the checkpoint; a run after a finished one only sweeps (a no-op when
 * nothing is NULL).
 */
export async function runBackfill(ctx: StepContext, target: BackfillTarget, options: BackfillOptions): Promise<BackfillResult> {
  const { client } = ctx;
  const strategy = STRATEGY_IMPLS[options.strategy];
  const store = new CheckpointStore(client, options.stateTable);
  const oid = target.table.oid;
  await store.ensure();

  const previous = await store.load(oid, target.column);
  const resumed = previous !== undefined && !previous.finished;
  let checkpoint = previous;
  if (!checkpoint || (!checkpoint.finished && checkpoint.strategy !== strategy.name)) {
    checkpoint = await store.start(oid, target.column, target.table.sql, strategy.name, await strategy.begin(client, target));
  }
  const totalRows = checkpoint.cursor.totalRows;

  const sizer = new BatchSizer(options.batchSize, options.targetBatchMs);
  const started = performance.now();
  let cursor = checkpoint.cursor;
  let fraction = checkpoint.finished ? 1 : strategy.fraction(cursor);
  const fractionAtStart = fraction;
  let rowsThisRun = 0;
  let batches = 0;
  let throttledMs = 0;
  let stage: BackfillProgress['stage'] = checkpoint.finished ? 'sweep' : 'main';

  const report = () => {
    const { rowsPerSec, etaSec } = rateAndEta(rowsThisRun, performance.now() - started, fractionAtStart, fraction);
    ctx.emit({
      type: 'backfill-progress',
      progress: {
        table: target.table.sql,
        column: target.column,
        strategy: strategy.name,
        rowsDone: checkpoint!.rowsDone + rowsThisRun,
        batches: checkpoint!.batches + batches,
        fraction,
        totalEstimate: totalRows,
        rowsPerSec,
        etaSec: stage === 'done' ? 0 : etaSec,
        batchSize: sizer.size,
        throttledMs,
        stage,
      },
    });
  };

  const pause = async () => {
    if (batches > 0 && options.delayMs > 0) await sleep(options.delayMs);
    if (options.throttle) throttledMs += await options.throttle();
  };

  // Main pass: the strategy walks the table; each batch and its checkpoint commit together.
  while (stage === 'main') {
    await pause();
    const t0 = performance.now();
    const result = await runShortTransaction(ctx, `backfill batch of ${target.table.sql}`, [], {
      asyncCommit: true,
      inside: async (c) => {
      const r = await strategy.batch(c, target, cursor, sizer.size);
      await store.advance(oid, target.column, r.cursor, r.updated);
      return r;
      },
    });
    const r = result!;
    sizer.observe(r.scanned, performance.now() - t0);
    cursor = r.cursor;
    fraction = r.done ? 1 : strategy.fraction(cursor);
    rowsThisRun += r.updated;
    batches += 1;
    if (r.done) stage = 'sweep';
    report();
  }

  // Sweep: rows inserted meanwhile, or moved by the application's updates, still NULL anywhere.
  for (;;) {
    await pause();
    const updated = await runShortTransaction(ctx, `backfill sweep of ${target.table.sql}`, [], {
      asyncCommit: true,
      inside: async (c) => {
        const n = await sweepBatch(c, target, sizer.size);
        if (n > 0) await store.advance(oid, target.column, cursor, n);
        return n;
      },
    });
    rowsThisRun += updated!;
    if (updated === 0) break;
    batches += 1;
  }
  await store.finish(oid, target.column);
  stage = 'done';
  fraction = 1;
  report();
  return { rowsUpdated: rowsThisRun, batches, ms: performance.now() - started, throttledMs, resumed };
}
