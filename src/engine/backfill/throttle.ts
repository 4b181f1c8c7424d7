import { sleep } from '../transaction.js';

/**
 * A backfill throttle (BackfillOptions.throttle): before each batch, wait while the health signal
 * (replica lag in ms, say) is over the limit, like gh-ost's --max-lag-millis. Resolves with the ms
 * it waited (0 when the signal was fine), which the backfill reports as throttled time.
 */
export function throttleOver(read: () => Promise<number>, limit: number, pollMs = 100): () => Promise<number> {
  return async () => {
    if ((await read()) <= limit) return 0;
    const t0 = performance.now();
    do await sleep(pollMs);
    while ((await read()) > limit);
    return performance.now() - t0;
  };
}
