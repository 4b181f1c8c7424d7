/** The few statistics compare and the adaptive bench need: Student's t at fixed confidence levels. */
import { mean } from '../core/numbers.js';

// Quantiles of Student's t by degrees of freedom 1..30 (standard tables); beyond 30 the value at
// 30 is used, slightly conservative.
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045,
  2.042,
];
const T_99 = [
  31.821, 6.965, 4.541, 3.747, 3.365, 3.143, 2.998, 2.896, 2.821, 2.764,
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: t(0.99, 11), not e
  2.718, 2.681, 2.65, 2.624, 2.602, 2.583, 2.567, 2.552, 2.539, 2.528, 2.518, 2.508, 2.5, 2.492, 2.485, 2.479, 2.473, 2.467, 2.462, 2.457,
];

const at = (table: number[], df: number) => table[Math.min(table.length, Math.max(1, Math.floor(df))) - 1]!;

/** Two-sided 95%: the margin of error behind a relative margin of error (rme), as tinybench reports it. */
export const t95 = (df: number) => at(T_975, df);
/** One-sided 99%: how sure compare must be before it says a case got slower or faster. */
export const t99OneSided = (df: number) => at(T_99, df);

const average = (xs: readonly number[]) => mean(xs) ?? NaN;

/** Sample variance (n - 1); 0 for fewer than two samples. */
export function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = average(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/** Relative margin of error (%) of the mean at 95%, as tinybench computes it; undefined under two samples. */
export function rmePct(xs: readonly number[]): number | undefined {
  if (xs.length < 2) return undefined;
  return ((t95(xs.length - 1) * Math.sqrt(variance(xs) / xs.length)) / average(xs)) * 100;
}

export interface TwoSampleTest {
  /** new mean - base mean. */
  diff: number;
  /** Half-width of the one-sided 99% bound on diff. */
  margin: number;
  df: number;
}

/**
 * A pooled two-sample t-test: both samples come from one machine, so their spread is assumed the
 * same and a side with one sample borrows the other's. Undefined when no side has two samples:
 * then nothing says how much the figure moves on its own.
 */
export function pooledTest(base: readonly number[], next: readonly number[]): TwoSampleTest | undefined {
  const df = Math.max(0, base.length - 1) + Math.max(0, next.length - 1);
  if (df === 0) return undefined;
  const pooled = ((base.length - 1) * variance(base) + (next.length - 1) * variance(next)) / df;
  const se = Math.sqrt(pooled * (1 / base.length + 1 / next.length));
  return { diff: average(next) - average(base), margin: t99OneSided(df) * se, df };
}

/** Least-squares slope of log(y) over log(x): 1 is linear, 2 quadratic. Undefined under two distinct x. */
export function logLogSlope(points: readonly (readonly [x: number, y: number])[]): number | undefined {
  const ps = points.filter(([x, y]) => x > 0 && y > 0).map(([x, y]) => [Math.log(x), Math.log(y)] as const);
  if (new Set(ps.map(([x]) => x)).size < 2) return undefined;
  const mx = average(ps.map(([x]) => x));
  const my = average(ps.map(([, y]) => y));
  const sxy = ps.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = ps.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}
