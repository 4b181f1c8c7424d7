import { listLeaves, type Leaf } from '../relations.js';
import { batchWithCheckpoint, pause } from './batch.js';
import { BatchSizer } from './batch-sizer.js';
import type { BackfillRun } from './run.js';
import { shortRead } from './short-read.js';
import { ctidStrategy } from './strategies/ctid.js';

/** The xid that wrote a row, in the form `age()` and `xmin` compare against (32 bits). */
const AS_XID = (xid8: string) => `(${xid8}::text::bigint % 4294967296)::text`;

/** What the verify needs of the sweep. */
export interface Sweep {
  /** The leaves it walked: the tree as it was when it began. */
  leaves: Leaf[];
  /** The oldest xid still running when it began: row versions older than this were the backfill's to fill. */
  horizon: string;
  /** The transactions of its batches that wrote rows. */
  xids: string[];
  /** Its batch size at the end, for the last progress event. */
  batchSize: number;
}

/**
 * Sweep: one ctid walk over every page each leaf has now (leaves created or attached during the
 * main pass included), for rows inserted while it ran or moved by the application's updates.
 * Each page is visited once, so the sweep ends however fast the application inserts; rows it
 * inserts behind the walk are its own to write.
 */
export async function sweep(run: BackfillRun): Promise<Sweep> {
  const { ctx, options } = run;
  const horizon = (await ctx.client.query<{ xmin: string }>(`SELECT ${AS_XID('pg_snapshot_xmin(pg_current_snapshot())')} AS xmin`)).rows[0]!.xmin;
  const leaves = await listLeaves(ctx.client, run.target.table.oid);
  const xids: string[] = [];
  const sizer = new BatchSizer(options.batchSize, options.targetBatchMs);
  let wrote = 0;
  for (const leaf of leaves) wrote = await sweepLeaf(run, leaf, sizer, xids, wrote);
  return { leaves, horizon, xids, batchSize: sizer.size };
}

/** One leaf's sweep, after a last batch that wrote `wrote` rows; returns what its own last batch wrote. */
async function sweepLeaf(run: BackfillRun, leaf: Leaf, sizer: BatchSizer, xids: string[], wrote: number): Promise<number> {
  let cursor = await shortRead(run.ctx, `size ${leaf.sql} for the sweep`, (c) => ctidStrategy.begin(c, run.target, leaf));
  for (;;) {
    await pause(run, wrote, sizer.size);
    // The sweep's own position is not kept: a rerun sweeps again. Its rows count in part 0,
    // whose finished mark it leaves as it is.
    const r = await batchWithCheckpoint(run, run.ctx, ctidStrategy, leaf, cursor, sizer, async (c, b) => {
      if (b.updated === 0) return;
      const first = run.parts[0];
      if (first) await run.advance(c, 0, first.cursor, b.updated, false);
      xids.push((await c.query<{ xid: string }>(`SELECT ${AS_XID('pg_current_xact_id()')} AS xid`)).rows[0]!.xid);
    });
    cursor = r.cursor;
    wrote = r.updated;
    if (wrote > 0) {
      run.batches += 1;
      run.report('sweep', sizer.size);
    }
    if (r.done) return wrote;
  }
}
