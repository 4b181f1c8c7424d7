import { cellsLabel, num, type ReadRow } from './csv.js';
import { POLICY_COLUMNS } from './row.js';

export type Verdict = 'regression' | 'slower' | 'faster' | 'same' | 'new' | 'gone';

export interface Comparison {
  key: string;
  suite: string;
  case: string;
  strategy: string;
  rows: string;
  /** The backfill policy measured, e.g. "batch_size=5000 delay_ms=0 workers=2"; empty outside backfills. */
  policy: string;
  /** Mean over the runs of the case in each file. */
  baseMs?: number;
  newMs?: number;
  /** Runs of the case in the base file. */
  baseRuns: number;
  /** (new - base) / base. */
  delta?: number;
  /** The noise band, as a fraction: see compareRuns. */
  noise: number;
  verdict: Verdict;
}

const policyOf = (r: ReadRow) => cellsLabel(r, POLICY_COLUMNS);

/** Cases are joined on suite, case, strategy, rows and policy (a throttled run is another case). */
export function caseKey(r: ReadRow): string {
  return [r.suite, r.case, r.strategy ?? '', r.rows, policyOf(r)].join('|');
}

function byCase(rows: ReadRow[]): Map<string, ReadRow[]> {
  const m = new Map<string, ReadRow[]>();
  for (const r of rows) m.set(caseKey(r), [...(m.get(caseKey(r)) ?? []), r]);
  return m;
}

const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

interface Side {
  mean: number;
  /** Within-run noise: the runs' relative margins of error (rme), averaged, as a fraction. */
  rme: number;
  /** Between-run noise: the spread of the runs' means relative to their mean (0 with one run). */
  spread: number;
  runs: number;
}

function side(rows: ReadRow[] | undefined): Side | undefined {
  const means = (rows ?? []).map((r) => num(r, 'mean_ms')).filter((n): n is number => n !== undefined);
  if (means.length === 0) return undefined;
  const mean = average(means);
  return {
    mean,
    rme: average(rows!.map((r) => num(r, 'rme_pct') ?? 0)) / 100,
    spread: means.length > 1 ? (Math.max(...means) - Math.min(...means)) / mean : 0,
    runs: means.length,
  };
}

/**
 * Compare each case's mean time, over all the runs each file holds of it (a CSV can hold several
 * runs appended). A case regressed when it got slower by more than the threshold AND by more than
 * the noise. The noise is the larger of the two runs' margins of error added (within-run) and the
 * spread between the base file's own runs (between-run): on a small shared machine whole runs shift
 * by 20-30% for some cases, which no within-run statistic sees, so a baseline of several runs is
 * what makes the verdict trustworthy.
 */
export function compareRuns(base: ReadRow[], next: ReadRow[], threshold: number): Comparison[] {
  const a = byCase(base);
  const b = byCase(next);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys.map((key) => {
    const sa = side(a.get(key));
    const sb = side(b.get(key));
    const r = (b.get(key) ?? a.get(key))![0]!;
    const noise = Math.max((sa?.rme ?? 0) + (sb?.rme ?? 0), sa?.spread ?? 0);
    const common = { key, suite: r.suite!, case: r.case!, strategy: r.strategy ?? '', rows: r.rows ?? '', policy: policyOf(r), baseMs: sa?.mean, newMs: sb?.mean, baseRuns: sa?.runs ?? 0, noise };
    if (!sa) return { ...common, verdict: 'new' as const };
    if (!sb) return { ...common, verdict: 'gone' as const };
    const delta = (sb.mean - sa.mean) / sa.mean;
    const verdict: Verdict =
      delta > threshold && delta > noise ? 'regression' : delta > threshold ? 'slower' : delta < -threshold && -delta > noise ? 'faster' : 'same';
    return { ...common, delta, verdict };
  });
}
