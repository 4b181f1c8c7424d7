import type pg from 'pg';
import { listLeaves } from '../relations.js';
import type { StepContext } from '../types.js';
import { batchWithCheckpoint, pause } from './batch.js';
import { BatchSizer } from './batch-sizer.js';
import type { Checkpoint } from './checkpoint.js';
import type { BackfillRun } from './run.js';
import type { BatchResult } from './strategy.js';

const UNDEFINED_TABLE = '42P01';

/**
 * Main pass: workers take the unfinished parts, biggest first, each on its own connection (the
 * caller's for the first). Returns how many workers ran.
 */
export async function mainPass(run: BackfillRun): Promise<number> {
  const { ctx } = run;
  const queue = run.parts.filter((p) => !p.finished).sort((a, b) => b.cursor.totalRows - a.cursor.totalRows);
  const workers = Math.max(1, Math.min(run.options.workers, queue.length));
  const clients: pg.Client[] = [ctx.client];
  try {
    for (let i = 1; i < workers; i++) clients.push(await ctx.options.connect!());
    const outcomes = await Promise.allSettled(
      clients.map((client) =>
        work(run, { ...ctx, client }, queue).catch((err: unknown) => {
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
  return workers;
}

/** One worker: parts from the queue until it is empty or the run stops. */
async function work(run: BackfillRun, worker: StepContext, queue: Checkpoint[]): Promise<void> {
  const sizer = new BatchSizer(run.options.batchSize, run.options.targetBatchMs);
  let wrote = 0;
  for (let part = queue.shift(); part && !run.stopped; part = queue.shift()) wrote = await walkPart(run, worker, part, sizer, wrote);
}

/**
 * One part to its end, unless the run stops; a leaf dropped or detached meanwhile is skipped.
 * `wrote` is what the worker's previous batch wrote: the pause before this part's first batch.
 */
async function walkPart(run: BackfillRun, worker: StepContext, part: Checkpoint, sizer: BatchSizer, wrote: number): Promise<number> {
  const leaf = run.leaves.find((l) => l.oid === part.cursor.leaf);
  if (!leaf) {
    await skip(run, worker.client, part, `relation ${part.cursor.leaf}`, `no longer part of ${run.target.table.sql}`);
    return wrote;
  }
  const cap = run.vacuum.batchCap(run.parts.filter((p) => p.cursor.leaf === leaf.oid).reduce((n, p) => n + p.cursor.totalRows, 0));
  while (!run.stopped) {
    await pause(run, wrote, sizer.size);
    let r: BatchResult;
    try {
      r = await batchWithCheckpoint(run, worker, run.strategy, leaf, part.cursor, sizer, (c, b) => run.advance(c, part.part, b.cursor, b.updated, b.done), cap);
    } catch (err) {
      if ((err as { code?: string }).code !== UNDEFINED_TABLE) throw err;
      run.leaves = await listLeaves(worker.client, run.target.table.oid);
      if (run.leaves.some((l) => l.oid === leaf.oid)) throw err;
      await skip(run, worker.client, part, leaf.sql, 'dropped while the backfill ran');
      return 0;
    }
    part.cursor = r.cursor;
    part.finished = r.done;
    run.batches += 1;
    wrote = r.updated;
    run.report('main', Math.min(sizer.size, cap));
    await run.vacuum.afterBatch(worker.client, leaf, wrote);
    if (r.done) break;
  }
  return wrote;
}

/** A part whose leaf left the tree: marked finished in its checkpoint, named in the result and an event. */
async function skip(run: BackfillRun, client: pg.Client, part: Checkpoint, relation: string, reason: string): Promise<void> {
  await run.advance(client, part.part, part.cursor, 0, true);
  part.finished = true;
  run.goneRelations.push(relation);
  run.ctx.emit({ type: 'backfill-relation-skipped', relation, reason });
}
