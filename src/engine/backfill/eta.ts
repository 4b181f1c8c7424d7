export interface Rate {
  rowsPerSec: number;
  /** Seconds left; undefined until some of the work is done. */
  etaSec?: number;
}

/**
 * Rate and time left from what this run did: the fraction gained since it started (a resumed run
 * starts above 0) over the time it took, sleeps and throttling included, since those are real.
 */
export function rateAndEta(rowsThisRun: number, elapsedMs: number, fractionAtStart: number, fraction: number): Rate {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const gained = fraction - fractionAtStart;
  return {
    rowsPerSec: rowsThisRun / seconds,
    etaSec: gained > 0 ? (seconds * Math.max(0, 1 - fraction)) / gained : undefined,
  };
}
