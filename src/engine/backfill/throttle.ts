import { sleep } from '../transaction.js';

/** One health reading the backfill backs off on, like gh-ost's --max-lag-millis. */
export interface HealthSignal {
  /** What it measures, for messages: "replica lag", "writer p99". */
  name: string;
  /** The limit, in the unit read() returns. */
  limit: number;
  read(): Promise<number>;
}

/**
 * A backfill throttle (BackfillOptions.throttle): before each batch, wait while any signal is over
 * its limit. Resolves with the ms it waited (0 when all were fine), which the backfill reports as
 * throttled time.
 */
export function throttleWhile(signals: readonly HealthSignal[], pollMs = 100): () => Promise<number> {
  const unhealthy = async () => {
    for (const s of signals) if ((await s.read()) > s.limit) return true;
    return false;
  };
  return async () => {
    if (!(await unhealthy())) return 0;
    const t0 = performance.now();
    do await sleep(pollMs);
    while (await unhealthy());
    return performance.now() - t0;
  };
}
