import type pg from 'pg';
import type { Leaf } from '../relations.js';
import { runShortTransaction, sleep } from '../transaction.js';
import type { StepContext, StrategyName } from '../types.js';
import type { BatchSizer } from './batch-sizer.js';
import type { BackfillRun } from './run.js';
import type { BatchResult, Cursor, Strategy } from './strategy.js';

/**
 * The break after a batch's worth of writes: a batch that wrote a tenth of a batch earns a tenth
 * of it, so the load per second stays what the policy asks. A batch that only read pages earns
 * none. Then the throttle, if any, holds it while the server is unhealthy.
 */
export async function pause(run: BackfillRun, wrote: number, batchSize: number): Promise<void> {
  const { options } = run;
  if (wrote > 0 && options.delayMs > 0) await sleep(options.delayMs * Math.min(1, wrote / batchSize));
  if (options.throttle) run.addThrottled(await options.throttle());
}

/** Writes where a batch got to, inside the batch's own transaction. */
export type RecordBatch = (client: pg.Client, batch: BatchResult) => Promise<void>;

/** One batch and its checkpoint (`record`) in one short transaction; the sizer learns from its time. */
export async function batchWithCheckpoint(
  run: BackfillRun,
  worker: StepContext,
  walk: Strategy<StrategyName>,
  leaf: Leaf,
  cursor: Cursor,
  sizer: BatchSizer,
  record: RecordBatch,
  cap = Infinity,
): Promise<BatchResult> {
  const t0 = performance.now();
  const r = (await runShortTransaction(worker, `backfill batch of ${leaf.sql}`, [], {
    asyncCommit: true,
    inside: async (c) => {
      const batch = await walk.batch(c, run.target, leaf, cursor, Math.min(sizer.size, cap));
      await record(c, batch);
      return batch;
    },
  }))!;
  sizer.observe(r.scanned, performance.now() - t0);
  run.counted(r);
  return r;
}
