import { oneLine } from '../core/format.js';
import type { BackendSample, Sample } from './wait-sampler.js';

/** A write slower than this gets its cause looked for (and the CSV names the worst one's). */
export const SLOW_WRITE_MS = 100;

/**
 * Who held a slow write: the migration measured (the engine's batches, vacuum rounds and locks in
 * the bench and pgmb backfill; your statements in pgmb try), something outside it, or nobody seen.
 */
export type CauseOwner = 'migration' | 'outside' | 'unknown';

export interface SlowWriteCause {
  by: CauseOwner;
  /** In words, e.g. "waited on Lock/transactionid behind pgmb-bench-worker (UPDATE ...)". */
  text: string;
}

/** The connections that run the measured migration: a bench case, pgmb backfill, pgmb try. */
const MIGRATION_APP = /^pgmb-(bench|backfill|try)(-worker|-command)?$/;
const isVacuum = (b: BackendSample) => b.backendType === 'autovacuum worker' || (b.state === 'active' && /^\s*vacuum\b/i.test(b.query));
/** The checkpointer outside its idle wait: a checkpoint is being written. */
const checkpointing = (b: BackendSample) => b.backendType === 'checkpointer' && b.wait !== 'CheckpointerMain';
/** A migration connection inside its statement or its transaction (a batch between its UPDATE and its checkpoint write is idle in transaction). */
const migrationWorking = (b: BackendSample) => MIGRATION_APP.test(b.app) && (b.state === 'active' || b.state.startsWith('idle in transaction'));
const waitOf = (b: BackendSample) => (b.waitType ? `${b.waitType}/${b.wait}` : 'CPU');
const short = (query: string) => oneLine(query).slice(0, 60);

/** The most frequent value, ties to the first seen. */
function commonest(xs: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best: string | undefined;
  for (const [x, n] of counts) if (best === undefined || n > counts.get(best)!) best = x;
  return best;
}

/**
 * Why the write of backend `pid` was slow, from the pg_stat_activity samples taken while it ran: a
 * pure function of the samples (eugene's way: a trace, judged). The migration is the cause when one
 * of its connections blocked the write, or when the write waited on I/O or WAL while only the
 * migration's batch or vacuum round was working; a checkpoint, an autovacuum, another session's
 * lock, CPU starvation or a late client are outside it.
 */
export function explainWait(pid: number, samples: readonly Sample[]): SlowWriteCause {
  const mine = samples.flatMap((s) => s.backends.filter((b) => b.pid === pid).map((b) => ({ sample: s, b })));
  if (!mine.length) return { by: 'unknown', text: 'no sample of the write (shorter than the sampling interval, or its connection was lost)' };
  const active = mine.filter(({ b }) => b.state === 'active');
  if (!active.length) return { by: 'outside', text: 'the server was not working on it: the client side was late (event loop or CPU scheduling)' };
  const wait = commonest(active.map(({ b }) => waitOf(b)))!;
  const all = samples.flatMap((s) => s.backends);
  const checkpoint = all.some(checkpointing);
  const migrationVacuum = all.some((b) => isVacuum(b) && MIGRATION_APP.test(b.app));
  const otherVacuum = !migrationVacuum && all.some(isVacuum);
  const during = [checkpoint ? 'a checkpoint' : '', migrationVacuum ? 'a vacuum round of the walk' : otherVacuum ? 'an autovacuum' : ''].filter(Boolean);
  const context = during.length ? ` during ${during.join(' and ')}` : '';

  // Who held it: the blockers as the same sample saw them.
  const blockers = active.flatMap(({ sample, b }) => (b.blockers ?? []).map((p) => sample.backends.find((o) => o.pid === p) ?? { pid: p, app: '', backendType: '', state: '', query: '' }));
  const migrationBlocker = blockers.find((b) => MIGRATION_APP.test(b.app));
  if (migrationBlocker) return { by: 'migration', text: `waited on ${wait} behind ${migrationBlocker.app} (${short(migrationBlocker.query)})${context}` };
  const other = blockers[0];
  if (other) return { by: 'outside', text: `waited on ${wait} behind ${other.app || other.backendType || `pid ${other.pid}`} (${short(other.query)})${context}` };
  if (wait === 'CPU') return { by: 'outside', text: `on CPU, waiting on nothing: the machine's cores were busy${context}` };
  // I/O, WAL or buffer waits: whose work the write queued behind.
  if (checkpoint || otherVacuum) return { by: 'outside', text: `waited on ${wait}${context}` };
  if (migrationVacuum) return { by: 'migration', text: `waited on ${wait}${context}` };
  if (all.some(migrationWorking)) return { by: 'migration', text: `waited on ${wait} while the migration's statement or batch ran` };
  return { by: 'unknown', text: `waited on ${wait}, nobody seen holding it` };
}

const OWNER_WORDS: Record<CauseOwner, string> = { migration: 'caused by the migration', outside: 'outside the migration', unknown: 'cause not seen' };

/** A cause as the CSV holds it (`owner: text`). */
export const causeCell = (c: SlowWriteCause) => `${c.by}: ${c.text}`;

/** A CSV cause cell in words, for a summary line: "outside the migration: waited on ...". */
export function causeInWords(cell: string): string {
  const i = cell.indexOf(': ');
  const owner = cell.slice(0, i) as CauseOwner;
  return owner in OWNER_WORDS ? `${OWNER_WORDS[owner]}: ${cell.slice(i + 2)}` : cell;
}
