import type pg from 'pg';
import { runShortTransaction } from '../transaction.js';
import type { StepContext } from '../types.js';

/**
 * A read of the leaves outside the batches (sizing them, counting what is left): it waits at most
 * lock_timeout behind a long lock and retries like a batch, instead of hanging without a word.
 */
export async function shortRead<T>(ctx: StepContext, what: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return (await runShortTransaction(ctx, what, [], { inside: fn, statementTimeoutMs: 0 })) as T;
}
