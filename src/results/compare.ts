import { num, type ReadRow } from './csv.js';

export type Verdict = 'regression' | 'slower' | 'faster' | 'same' | 'new' | 'gone';

export interface Comparison {
  key: string;
  suite: string;
  case: string;
  strategy: string;
  rows: string;
  baseMs?: number;
  newMs?: number;
  /** (new - base) / base. */
  delta?: number;
  /** The noise band: the two runs' relative margins of error added, as a fraction. */
  noise: number;
  verdict: Verdict;
}

/** Cases are joined on suite, case, strategy and rows. */
export function caseKey(r: ReadRow): string {
  return [r.suite, r.case, r.strategy ?? '', r.rows].join('|');
}

/** The last row of each case: a CSV holds several runs appended, the newest last. */
function latest(rows: ReadRow[]): Map<string, ReadRow> {
  const m = new Map<string, ReadRow>();
  for (const r of rows) m.set(caseKey(r), r);
  return m;
}

/**
 * A case regressed when it got slower by more than the threshold AND by more than the noise (the
 * runs' rme added): a slowdown inside either band is reported as `slower` or `same`, not failed.
 */
export function compareRuns(base: ReadRow[], next: ReadRow[], threshold: number): Comparison[] {
  const a = latest(base);
  const b = latest(next);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys.map((key) => {
    const ra = a.get(key);
    const rb = b.get(key);
    const r = (rb ?? ra)!;
    const baseMs = ra ? num(ra, 'mean_ms') : undefined;
    const newMs = rb ? num(rb, 'mean_ms') : undefined;
    const noise = ((ra ? num(ra, 'rme_pct') ?? 0 : 0) + (rb ? num(rb, 'rme_pct') ?? 0 : 0)) / 100;
    const base = { key, suite: r.suite!, case: r.case!, strategy: r.strategy ?? '', rows: r.rows ?? '', baseMs, newMs, noise };
    if (baseMs === undefined) return { ...base, verdict: 'new' as const };
    if (newMs === undefined) return { ...base, verdict: 'gone' as const };
    const delta = (newMs - baseMs) / baseMs;
    const verdict: Verdict =
      delta > threshold && delta > noise ? 'regression' : delta > threshold ? 'slower' : delta < -threshold && -delta > noise ? 'faster' : 'same';
    return { ...base, delta, verdict };
  });
}
