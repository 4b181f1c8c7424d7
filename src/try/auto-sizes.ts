/** --sizes auto measures this many rows first (or the target, if smaller), and times it. */
export const PROBE_ROWS = 100_000;

/** The sizes auto picks from after the probe: 300k, 1m, 3m, 10m, 30m, ... */
function ladder(above: number, upTo: number): number[] {
  const out: number[] = [];
  for (let decade = 100_000; decade <= upTo * 10; decade *= 10) for (const n of [3 * decade, 10 * decade]) if (n > above && n <= upTo) out.push(n);
  return out;
}

/**
 * The sizes to measure after the probe: steps of the ladder up to the first at or past a tenth of
 * the target (the verdict then carries at most 10x), as long as each is expected to fit in what is
 * left of the budget (the probe's time, scaled by rows). `short` says why the largest stops short.
 */
export function nextSizes(target: number, probe: { rows: number; ms: number }, leftMs: number): { sizes: number[]; short?: string } {
  const sizes: number[] = [];
  let left = leftMs;
  for (const n of ladder(probe.rows, target)) {
    const expected = (probe.ms * n) / probe.rows;
    if (expected > left)
      return { sizes, short: `${n.toLocaleString('en-US')} rows would take about ${Math.round(expected / 1000)} s, more than the ${Math.round(Math.max(0, left) / 1000)} s left of --budget` };
    sizes.push(n);
    left -= expected;
    if (n * 10 >= target) break;
  }
  return { sizes };
}
