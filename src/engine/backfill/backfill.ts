import type pg from 'pg';
import { listLeaves, type Leaf } from '../relations.js';
import { runShortTransaction, sleep } from '../transaction.js';
import type { BackfillOptions, BackfillResult, StepContext, StrategyName } from '../types.js';
import { BatchSizer } from './batch-sizer.js';
import { CheckpointStore, type Checkpoint, type Cursor } from './checkpoint.js';
import { rateAndEta } from './eta.js';
import { lockBackfill } from './run-lock.js';
import { VacuumBehind } from './vacuum-behind.js';
import { classicStrategy } from './strategies/classic.js';
import { ctidStrategy } from './strategies/ctid.js';
import { keysetStrategy } from './strategies/keyset.js';
import { stillNull, type BackfillTarget, type BatchResult, type Strategy } from './strategy.js';

export const STRATEGY_IMPLS: Record<StrategyName, Strategy> = {
  ctid: ctidStrategy,
  keyset: keysetStrategy,
  classic: classicStrategy,
};

const UNDEFINED_TABLE = '42P01';

/** What every worker adds to, and what progress events are made of. */
class RunState {
  readonly started = performance.now();
  rowsThisRun = 0;
  batches = 0;
  largestBatch = 0;
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
    private readonly vacuum: VacuumBehind,
    readonly parts: Checkpoint[],
    readonly relations: number,
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

/**
 * The parts of a fresh main pass: one per leaf, and with a strategy that can split (ctid) and
 * several workers, big leaves cut so that no part is much over 1/workers of the whole.
 */
async function planParts(client: pg.Client, strategy: Strategy, target: BackfillTarget, leaves: Leaf[], workers: number): Promise<Cursor[]> {
  const firsts: Cursor[] = [];
  for (const leaf of leaves) firsts.push(await strategy.begin(client, target, leaf));
  if (workers <= 1 || !strategy.split) return firsts;
  const share = firsts.reduce((n, c) => n + c.totalRows, 0) / workers;
  return firsts.flatMap((c) => {
    const parts = share > 0 ? Math.min(workers, Math.max(1, Math.round(c.totalRows / share))) : 1;
    return parts > 1 ? strategy.split!(c, parts) : [c];
  });
}

/** The xid that wrote a row, in the form `age()` and `xmin` compare against (32 bits). */
const AS_XID = (xid8: string) => `(${xid8}::text::bigint % 4294967296)::text`;

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
  const strategy = STRATEGY_IMPLS[options.strategy];
  const store = new CheckpointStore(ctx.client, options.stateTable);
  const oid = target.table.oid;
  // Reads of the leaves outside the batches (sizing them, counting what is left) wait at most
  // lock_timeout behind a long lock and retry like a batch, instead of hanging without a word.
  const read = async <T>(what: string, fn: (c: pg.Client) => Promise<T>): Promise<T> =>
    (await runShortTransaction(ctx, what, [], { inside: fn, statementTimeoutMs: 0 })) as T;
  const release = await lockBackfill(ctx.client, target, options.wait ?? false, (holder) => ctx.emit({ type: 'backfill-waiting', holder }));
  const vacuum = new VacuumBehind(options.vacuum, ctx.options.lockTimeoutMs, ctx.options.connect);
  try {
    await store.ensure();
    let parts = await store.load(oid, target.column);
    const resumed = parts.some((p) => !p.finished);
    let leaves = await listLeaves(ctx.client, oid);
    if (parts.length === 0 || (resumed && parts[0]!.strategy !== strategy.name)) {
      const cursors = await read(`plan the backfill of ${target.table.sql}`, (c) => planParts(c, strategy, target, leaves, options.workers));
      parts = await store.start(oid, target.column, target.table.sql, strategy.name, cursors);
    }
    const run = new RunState(ctx, target, strategy, vacuum, parts, leaves.length, parts.reduce((n, p) => n + p.rowsDone, 0), parts.reduce((n, p) => n + p.batches, 0));

    // The delay is the break after a batch's worth of writes: a batch that wrote a tenth of a
    // batch earns a tenth of it, so the load per second stays what the policy asks. A batch that
    // only read pages earns none.
    const pause = async (wrote: number, batchSize: number) => {
      if (wrote > 0 && options.delayMs > 0) await sleep(options.delayMs * Math.min(1, wrote / batchSize));
      if (options.throttle) run.addThrottled(await options.throttle());
    };

    /** One batch and its checkpoint (`record`) in one short transaction; the sizer learns from its time. */
    const batchWithCheckpoint = async (
      worker: StepContext,
      walk: Strategy,
      leaf: Leaf,
      cursor: Cursor,
      sizer: BatchSizer,
      record: (c: pg.Client, batch: BatchResult) => Promise<void>,
      cap = Infinity,
    ) => {
      const t0 = performance.now();
      const r = (await runShortTransaction(worker, `backfill batch of ${leaf.sql}`, [], {
        asyncCommit: true,
        inside: async (c) => {
          const batch = await walk.batch(c, target, leaf, cursor, Math.min(sizer.size, cap));
          await record(c, batch);
          return batch;
        },
      }))!;
      sizer.observe(r.scanned, performance.now() - t0);
      run.counted(r);
      return r;
    };

    const goneRelations: string[] = [];
    const skip = async (client: pg.Client, part: Checkpoint, relation: string, reason: string) => {
      await store.advance(client, oid, target.column, part.part, part.cursor, 0, true);
      part.finished = true;
      goneRelations.push(relation);
      ctx.emit({ type: 'backfill-relation-skipped', relation, reason });
    };

    /** One part to its end, unless the run stops; a leaf dropped or detached meanwhile is skipped. */
    const walkPart = async (worker: StepContext, part: Checkpoint, sizer: BatchSizer, wrote: number): Promise<number> => {
      const leaf = leaves.find((l) => l.oid === part.cursor.leaf);
      if (!leaf) {
        await skip(worker.client, part, `relation ${part.cursor.leaf}`, `no longer part of ${target.table.sql}`);
        return wrote;
      }
      const cap = vacuum.batchCap(parts.filter((p) => p.cursor.leaf === leaf.oid).reduce((n, p) => n + p.cursor.totalRows, 0));
      while (!run.stopped) {
        await pause(wrote, sizer.size);
        let r: BatchResult;
        try {
          r = await batchWithCheckpoint(
            worker,
            strategy,
            leaf,
            part.cursor,
            sizer,
            (c, b) => store.advance(c, oid, target.column, part.part, b.cursor, b.updated, b.done),
            cap,
          );
        } catch (err) {
          if ((err as { code?: string }).code !== UNDEFINED_TABLE) throw err;
          leaves = await listLeaves(worker.client, oid);
          if (leaves.some((l) => l.oid === leaf.oid)) throw err;
          await skip(worker.client, part, leaf.sql, 'dropped while the backfill ran');
          return 0;
        }
        part.cursor = r.cursor;
        part.finished = r.done;
        run.batches += 1;
        wrote = r.updated;
        run.report('main', Math.min(sizer.size, cap));
        await vacuum.afterBatch(worker.client, leaf, wrote);
        if (r.done) break;
      }
      return wrote;
    };

    // Main pass: workers take the unfinished parts, biggest first, each on its own connection
    // (the caller's for the first).
    const queue = parts.filter((p) => !p.finished).sort((a, b) => b.cursor.totalRows - a.cursor.totalRows);
    const workers = Math.max(1, Math.min(options.workers, queue.length));
    const clients: pg.Client[] = [ctx.client];
    try {
      for (let i = 1; i < workers; i++) clients.push(await ctx.options.connect!());
      const outcomes = await Promise.allSettled(
        clients.map((client) =>
          (async () => {
            const worker: StepContext = { ...ctx, client };
            const sizer = new BatchSizer(options.batchSize, options.targetBatchMs);
            let wrote = 0;
            for (let part = queue.shift(); part && !run.stopped; part = queue.shift()) wrote = await walkPart(worker, part, sizer, wrote);
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
    await vacuum.close();

    // Sweep: one ctid walk over every page each leaf has now (leaves created or attached during
    // the main pass included), for rows inserted while it ran or moved by the application's
    // updates. Each page is visited once, so the sweep ends however fast the application inserts;
    // rows it inserts behind the walk are its own to write.
    const horizon = (await ctx.client.query<{ xmin: string }>(`SELECT ${AS_XID('pg_snapshot_xmin(pg_current_snapshot())')} AS xmin`)).rows[0]!.xmin;
    leaves = await listLeaves(ctx.client, oid);
    const sweepXids: string[] = [];
    const sizer = new BatchSizer(options.batchSize, options.targetBatchMs);
    for (let i = 0, wrote = 0; i < leaves.length; i++) {
      const leaf = leaves[i]!;
      let sweep = await read(`size ${leaf.sql} for the sweep`, (c) => ctidStrategy.begin(c, target, leaf));
      for (;;) {
        await pause(wrote, sizer.size);
        // The sweep's own position is not kept: a rerun sweeps again. Its rows count in part 0,
        // whose finished mark it leaves as it is.
        const r = await batchWithCheckpoint(ctx, ctidStrategy, leaf, sweep, sizer, async (c, b) => {
          if (b.updated === 0) return;
          if (parts[0]) await store.advance(c, oid, target.column, 0, parts[0].cursor, b.updated, false);
          sweepXids.push((await c.query<{ xid: string }>(`SELECT ${AS_XID('pg_current_xact_id()')} AS xid`)).rows[0]!.xid);
        });
        sweep = r.cursor;
        wrote = r.updated;
        if (wrote > 0) {
          run.batches += 1;
          run.report('sweep', sizer.size);
        }
        if (r.done) break;
      }
    }

    // Done is counted, not assumed: per leaf, NULLs among the row versions older than the sweep's
    // start, plus rows the sweep itself wrote and something (a trigger, a rule) left NULL. Rows
    // the application wrote since are its own.
    const nullsByRelation: BackfillResult['nullsByRelation'] = [];
    for (const leaf of leaves) {
      const nulls = await read(`count what is left in ${leaf.sql}`, async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ONLY ${leaf.sql}
            WHERE ${stillNull(target)} AND (age(xmin) > age($1::xid) OR xmin = ANY($2::xid[]))`,
          [horizon, sweepXids],
        );
        return rows[0]!.n;
      });
      if (nulls > 0) nullsByRelation.push({ relation: leaf.sql, nulls });
    }
    const nullsLeft = nullsByRelation.reduce((n, r) => n + r.nulls, 0);
    const lateRelations = (await listLeaves(ctx.client, oid)).filter((l) => !leaves.some((s) => s.oid === l.oid)).map((l) => l.sql);
    run.report('done', sizer.size, nullsLeft);
    return {
      rowsUpdated: run.rowsThisRun,
      batches: run.batches,
      ms: performance.now() - run.started,
      throttledMs: run.throttledMs,
      resumed,
      workers,
      largestBatch: run.largestBatch,
      relations: leaves.length,
      nullsLeft,
      nullsByRelation,
      lateRelations,
      goneRelations,
      vacuums: vacuum.figures.vacuums,
      vacuumsSkipped: vacuum.figures.skipped,
      vacuumMs: vacuum.figures.ms,
    };
  } finally {
    await vacuum.close().catch(() => undefined);
    await release();
  }
}
