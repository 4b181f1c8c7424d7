import type { BackfillOptions, BackfillResult, StepContext } from '../types.js';
import { CheckpointStore } from './checkpoint.js';
import { mainPass } from './main-pass.js';
import { partsToWalk } from './plan.js';
import { BackfillRun } from './run.js';
import { lockBackfill } from './run-lock.js';
import { strategyNamed } from './strategies/index.js';
import type { BackfillTarget } from './strategy.js';
import { sweep } from './sweep.js';
import { VacuumBehind } from './vacuum-behind.js';
import { verify } from './verify.js';

/**
 * Fill a column batch by batch, one transaction a batch with its checkpoint, throttled, then sweep
 * every leaf once for what is still NULL, then count what is left. Only NULLs are written: a value
 * the application set is never overwritten. Partitioned tables and inheritance trees are walked
 * leaf by leaf with `UPDATE ONLY`, each leaf (or page range of one) a part with its own checkpoint;
 * workers take parts from one queue.
 * A second run resumes from the checkpoints; a run after a finished one only sweeps (a no-op when
 * nothing is NULL). One backfill of a table and column runs at a time (an advisory lock).
 */
export async function runBackfill(ctx: StepContext, target: BackfillTarget, options: BackfillOptions): Promise<BackfillResult> {
  const strategy = strategyNamed(options.strategy);
  const store = new CheckpointStore(ctx.client, options.stateTable);
  const release = await lockBackfill(ctx.client, target, options.wait ?? false, (holder) => ctx.emit({ type: 'backfill-waiting', holder }));
  const vacuum = new VacuumBehind(options.vacuum, ctx.options.lockTimeoutMs, ctx.options.connect);
  try {
    const { parts, leaves, resumed } = await partsToWalk(ctx, store, strategy, target, options.workers);
    const run = new BackfillRun(ctx, target, options, strategy, store, vacuum, parts, leaves);
    const workers = await mainPass(run);
    await vacuum.close();
    const swept = await sweep(run);
    const left = await verify(run, swept);
    run.report('done', swept.batchSize, left.nullsLeft);
    return {
      rowsUpdated: run.rowsThisRun,
      batches: run.batches,
      ms: performance.now() - run.started,
      throttledMs: run.throttledMs,
      resumed,
      workers,
      largestBatch: run.largestBatch,
      relations: swept.leaves.length,
      nullsLeft: left.nullsLeft,
      nullsByRelation: left.nullsByRelation,
      lateRelations: left.lateRelations,
      goneRelations: run.goneRelations,
      vacuums: vacuum.figures.vacuums,
      vacuumsSkipped: vacuum.figures.skipped,
      vacuumMs: vacuum.figures.ms,
    };
  } finally {
    await vacuum.close().catch(() => undefined);
    await release();
  }
}
