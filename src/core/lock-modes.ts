/** PostgreSQL's table lock modes, weakest first. */
export const LOCK_MODES = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'] as const;

/** The strongest of the modes seen, or undefined when none. */
export function strongestLock(modes: Iterable<string>): string | undefined {
  let best = -1;
  for (const m of modes) best = Math.max(best, LOCK_MODES.indexOf(m as (typeof LOCK_MODES)[number]));
  return best >= 0 ? LOCK_MODES[best] : undefined;
}
