/** The p-th percentile (0..100) of the samples by nearest rank; undefined for no samples. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The mean, or undefined for no samples (a figure never measured is empty, not 0). */
export function mean(xs: readonly number[]): number | undefined {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

/** The largest of the numbers there are, in a loop: a spread into Math.max fails past ~125,000 values. */
export function maxOf(xs: Iterable<number | undefined>): number | undefined {
  let worst: number | undefined;
  for (const x of xs) if (x !== undefined && (worst === undefined || x > worst)) worst = x;
  return worst;
}
