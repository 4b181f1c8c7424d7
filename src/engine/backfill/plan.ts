import type pg from 'pg';
import { listLeaves, type Leaf } from '../relations.js';
import type { StepContext, StrategyName } from '../types.js';
import type { Checkpoint, CheckpointStore } from './checkpoint.js';
import { shortRead } from './short-read.js';
import type { BackfillTarget, Cursor, Strategy } from './strategy.js';

export interface PartsToWalk {
  parts: Checkpoint[];
  /** The tree's leaves, listed once for the plan and the main pass. */
  leaves: Leaf[];
  /** An earlier run left parts unfinished. */
  resumed: boolean;
}

/**
 * The parts of this run's main pass: the checkpoints an earlier run left (a finished main pass's
 * too: then the run only sweeps), or a fresh plan when there are none or the unfinished ones were
 * made with another strategy.
 */
export async function partsToWalk(ctx: StepContext, store: CheckpointStore, strategy: Strategy<StrategyName>, target: BackfillTarget, workers: number): Promise<PartsToWalk> {
  const oid = target.table.oid;
  await store.ensure();
  let parts = await store.load(oid, target.column);
  const resumed = parts.some((p) => !p.finished);
  const leaves = await listLeaves(ctx.client, oid);
  if (parts.length === 0 || (resumed && parts[0]!.strategy !== strategy.name)) {
    const cursors = await shortRead(ctx, `plan the backfill of ${target.table.sql}`, (c) => planParts(c, strategy, target, leaves, workers));
    parts = await store.start(oid, target.column, target.table.sql, strategy.name, cursors);
  }
  return { parts, leaves, resumed };
}

/**
 * The parts of a fresh main pass: one per leaf, and with a strategy that can split (ctid) and
 * several workers, big leaves cut so that no part is much over 1/workers of the whole.
 */
async function planParts(client: pg.Client, strategy: Strategy<StrategyName>, target: BackfillTarget, leaves: Leaf[], workers: number): Promise<Cursor[]> {
  const firsts: Cursor[] = [];
  for (const leaf of leaves) firsts.push(await strategy.begin(client, target, leaf));
  if (workers <= 1 || !strategy.split) return firsts;
  const share = firsts.reduce((n, c) => n + c.totalRows, 0) / workers;
  return firsts.flatMap((c) => {
    const parts = share > 0 ? Math.min(workers, Math.max(1, Math.round(c.totalRows / share))) : 1;
    return parts > 1 ? strategy.split!(c, parts) : [c];
  });
}
