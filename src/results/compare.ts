import { mean } from '../core/numbers.js';
import { cellsLabel, num, type ReadRow } from './csv.js';
import { POLICY_COLUMNS } from './row.js';
import { logLogSlope, pooledTest } from './stats.js';

/**
 * Time: "regression"/"faster" only when the change is beyond the threshold AND a t-test over whole
 * runs is sure of it; "inconclusive" when it is beyond the threshold but one run per side cannot
 * tell the build from the machine (runs of one build move 20-30% on a small shared machine).
 */
export type TimeVerdict = 'regression' | 'faster' | 'same' | 'inconclusive' | 'new' | 'gone';
/** Work: the operation's own counters (pg_stat_statements), judged by a threshold alone. */
export type WorkVerdict = 'more work' | 'less work' | 'same work';

export interface CompareOptions {
  /** Relative time change that counts, when the test is also sure of it (0.15). */
  threshold: number;
  /** Relative rise of a work counter that counts (0.1). */
  workThreshold: number;
  /** Rise of the log-log slope of time over rows that counts (0.2). */
  slopeRise: number;
}

export const DEFAULT_COMPARE: CompareOptions = { threshold: 0.15, workThreshold: 0.1, slopeRise: 0.2 };

export interface WorkChange {
  counter: WorkCounter;
  base: number;
  next: number;
  delta: number;
  verdict: WorkVerdict;
}

export interface Comparison {
  key: string;
  suite: string;
  case: string;
  strategy: string;
  rows: string;
  /** The backfill policy measured, e.g. "batch_size=5000 delay_ms=0 workers=2"; empty outside backfills. */
  policy: string;
  /** Mean over the runs of the case in each file (each run weighs the same). */
  baseMs?: number;
  newMs?: number;
  /** Runs of the case in each file: whole bench runs, the unit a verdict is decided on. */
  baseRuns: number;
  newRuns: number;
  /** (new - base) / base. */
  delta?: number;
  /** The one-sided 99% bound on the change, relative to base; undefined when no side has two runs. */
  noise?: number;
  verdict: TimeVerdict;
  /** The counter that moved most, when both sides counted the operation's work. */
  work?: WorkChange;
}

export interface ComplexityChange {
  /** The case without its size: suite, case, strategy, policy. */
  series: string;
  suite: string;
  case: string;
  strategy: string;
  policy: string;
  sizes: number[];
  baseSlope: number;
  newSlope: number;
  verdict: 'complexity' | 'inconclusive' | 'same';
  /** What showed the rise beyond doubt: a t-test over runs' slopes, or the work counters' slope. */
  confirmedBy?: 'time' | 'work';
}

export interface Verdicts {
  cases: Comparison[];
  complexity: ComplexityChange[];
}

/** The counters a work verdict reads; blocks are shared buffers hit + read (what was touched). */
export const WORK_COUNTERS = ['rows', 'wal_records', 'wal_bytes', 'blocks'] as const;
export type WorkCounter = (typeof WORK_COUNTERS)[number];

/** Below these absolute rises a counter's change is not judged (a DDL's catalog reads, say). */
const WORK_FLOOR: Record<WorkCounter, number> = { rows: 100, wal_records: 100, wal_bytes: 64 * 1024, blocks: 100 };

function counter(r: ReadRow, c: WorkCounter): number | undefined {
  if (c !== 'blocks') return num(r, `work_${c}`);
  const hit = num(r, 'work_blks_hit');
  const read = num(r, 'work_blks_read');
  return hit === undefined || read === undefined ? undefined : hit + read;
}

const policyOf = (r: ReadRow) => cellsLabel(r, POLICY_COLUMNS);
/** A case without its size: the series a growth exponent is fitted over. */
export const seriesKey = (r: ReadRow) => [r.suite, r.case, r.strategy ?? '', policyOf(r)].join('|');

/** Cases are joined on suite, case, strategy, rows and policy (a throttled run is another case). */
export function caseKey(r: ReadRow): string {
  return [r.suite, r.case, r.strategy ?? '', r.rows, policyOf(r)].join('|');
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
}

/** One value per run (rows of one run averaged; a row without run_id is a run of its own). */
function perRun(rows: ReadRow[], value: (r: ReadRow) => number | undefined): number[] {
  let anonymous = 0;
  const runs = groupBy(rows, (r) => r.run_id || `#${anonymous++}`);
  return [...runs.values()]
    .map((rs) => rs.map(value).filter((v): v is number => v !== undefined))
    .filter((vs) => vs.length > 0)
    .map((vs) => mean(vs)!);
}

function timeVerdict(base: number[], next: number[], threshold: number): Pick<Comparison, 'delta' | 'noise' | 'verdict'> {
  const b = mean(base)!;
  const delta = (mean(next)! - b) / b;
  const test = pooledTest(base, next);
  const noise = test && test.margin / b;
  if (Math.abs(delta) <= threshold) return { delta, noise, verdict: 'same' };
  if (!test) return { delta, noise, verdict: 'inconclusive' };
  if (Math.abs(test.diff) > test.margin) return { delta, noise, verdict: delta > 0 ? 'regression' : 'faster' };
  return { delta, noise, verdict: 'inconclusive' };
}

function workChange(base: ReadRow[], next: ReadRow[], threshold: number): WorkChange | undefined {
  const changes = WORK_COUNTERS.flatMap((c) => {
    const b = mean(perRun(base, (r) => counter(r, c)));
    const n = mean(perRun(next, (r) => counter(r, c)));
    if (b === undefined || n === undefined || b <= 0) return [];
    const delta = (n - b) / b;
    const judged = Math.abs(n - b) > WORK_FLOOR[c] && Math.abs(delta) > threshold;
    const verdict: WorkVerdict = !judged ? 'same work' : delta > 0 ? 'more work' : 'less work';
    return [{ counter: c, base: b, next: n, delta, verdict }];
  });
  if (!changes.length) return undefined;
  const rank = (w: WorkChange) => (w.verdict === 'more work' ? 2 : w.verdict === 'less work' ? 1 : 0);
  return changes.sort((x, y) => rank(y) - rank(x) || Math.abs(y.delta) - Math.abs(x.delta))[0];
}

/**
 * Compare each case's time and work over all the runs each file holds of it (a CSV can hold
 * several runs appended, and `compare --confirm` appends more). Runs are the samples, not the
 * iterations inside one: iterations share the machine's state of that minute, so their spread
 * says nothing of how far the next run will move.
 */
export function compareRuns(base: ReadRow[], next: ReadRow[], options: Partial<CompareOptions> = {}): Verdicts {
  const o = { ...DEFAULT_COMPARE, ...options };
  const a = groupBy(base, caseKey);
  const b = groupBy(next, caseKey);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const cases = keys.map((key): Comparison => {
    const ra = a.get(key) ?? [];
    const rb = b.get(key) ?? [];
    const ta = perRun(ra, (r) => num(r, 'mean_ms'));
    const tb = perRun(rb, (r) => num(r, 'mean_ms'));
    const r = (rb[0] ?? ra[0])!;
    const common = {
      key,
      suite: r.suite!,
      case: r.case!,
      strategy: r.strategy ?? '',
      rows: r.rows ?? '',
      policy: policyOf(r),
      baseMs: mean(ta),
      newMs: mean(tb),
      baseRuns: ta.length,
      newRuns: tb.length,
    };
    if (!ta.length) return { ...common, verdict: 'new' };
    if (!tb.length) return { ...common, verdict: 'gone' };
    return { ...common, ...timeVerdict(ta, tb, o.threshold), work: workChange(ra, rb, o.workThreshold) };
  });
  return { cases, complexity: complexity(base, next, o.slopeRise) };
}

/** Slopes per run of a series, over the sizes both files measured. */
function slopes(rows: ReadRow[], sizes: Set<string>, value: (r: ReadRow) => number | undefined): number[] {
  let anonymous = 0;
  const runs = groupBy(
    rows.filter((r) => sizes.has(r.rows!)),
    (r) => r.run_id || `#${anonymous++}`,
  );
  return [...runs.values()].map((rs) => logLogSlope(rs.flatMap((r) => (value(r) === undefined ? [] : [[Number(r.rows), value(r)!] as const])))).filter((s): s is number => s !== undefined);
}

/**
 * The growth exponent of each series (log-log slope of time over rows) in each file. A rise of
 * `slopeRise` or more is a complexity regression when a t-test over the runs' slopes is sure of
 * it, or when the work counters' slope rose as much; otherwise it is inconclusive.
 */
function complexity(base: ReadRow[], next: ReadRow[], slopeRise: number): ComplexityChange[] {
  const a = groupBy(base, seriesKey);
  const b = groupBy(next, seriesKey);
  const out: ComplexityChange[] = [];
  for (const [series, ra] of a) {
    const rb = b.get(series);
    if (!rb) continue;
    const sizes = new Set(ra.map((r) => r.rows!).filter((s) => rb.some((r) => r.rows === s)));
    const time = (r: ReadRow) => num(r, 'mean_ms');
    const sa = slopes(ra, sizes, time);
    const sb = slopes(rb, sizes, time);
    if (!sa.length || !sb.length) continue;
    const baseSlope = mean(sa)!;
    const newSlope = mean(sb)!;
    const r = rb[0]!;
    const common = { series, suite: r.suite!, case: r.case!, strategy: r.strategy ?? '', policy: policyOf(r), sizes: [...sizes].map(Number).sort((x, y) => x - y), baseSlope, newSlope };
    if (newSlope - baseSlope < slopeRise) {
      out.push({ ...common, verdict: 'same' });
      continue;
    }
    const test = pooledTest(sa, sb);
    const blocks = (r: ReadRow) => counter(r, 'blocks');
    const workRise = (mean(slopes(rb, sizes, blocks)) ?? 0) - (mean(slopes(ra, sizes, blocks)) ?? Infinity);
    const confirmedBy = test && test.diff > test.margin ? 'time' : workRise >= slopeRise ? 'work' : undefined;
    out.push({ ...common, verdict: confirmedBy ? 'complexity' : 'inconclusive', confirmedBy });
  }
  return out;
}

/** What makes compare exit 1; inconclusive cases do not. */
export function failures(v: Verdicts) {
  return {
    time: v.cases.filter((c) => c.verdict === 'regression'),
    work: v.cases.filter((c) => c.work?.verdict === 'more work'),
    complexity: v.complexity.filter((c) => c.verdict === 'complexity'),
    inconclusive: v.cases.filter((c) => c.verdict === 'inconclusive').length + v.complexity.filter((c) => c.verdict === 'inconclusive').length,
  };
}
