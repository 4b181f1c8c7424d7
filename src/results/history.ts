import { percentile } from '../core/numbers.js';
import { caseKey, compareRuns, failures, seriesKey, type CompareOptions } from './compare.js';
import { cellsLabel, type ReadRow } from './csv.js';
import { POLICY_COLUMNS } from './row.js';
import { rowVerdict, SAFETY_VERDICTS, type SafetyVerdict } from './safety.js';

/** One bench CSV in a history: a release, in the order the releases were made. */
export interface Release {
  /** A label for the run, e.g. the CSV's file name or its release. */
  name: string;
  rows: ReadRow[];
}

/** compare's verdicts between one release and the one before it. */
export interface Step {
  from: string;
  to: string;
  /** Case keys (caseKey) that regressed in time, did more work, or whose series grew steeper. */
  regressions: string[];
  moreWork: string[];
  complexity: string[];
  inconclusive: number;
  cases: number;
  /** The median case's time over its time in the release before; undefined when no case is in both. */
  medianTimeRatio?: number;
}

/** Each release against the one before it, as `pgmb compare` would judge them. */
export function steps(releases: Release[], options: Partial<CompareOptions> = {}): Step[] {
  return releases.slice(1).map((to, i) => {
    const from = releases[i]!;
    const v = compareRuns(from.rows, to.rows, options);
    const f = failures(v);
    const seriesKeys = new Set(f.complexity.map((c) => c.series));
    return {
      from: from.name,
      to: to.name,
      regressions: f.time.map((c) => c.key),
      moreWork: f.work.map((c) => c.key),
      // A steeper series marks its cases at every size.
      complexity: [...new Set(to.rows.filter((r) => seriesKeys.has(seriesKey(r))).map(caseKey))],
      inconclusive: f.inconclusive,
      cases: v.cases.length,
      medianTimeRatio: percentile(
        v.cases.flatMap((c) => (c.delta === undefined ? [] : [1 + c.delta])),
        50,
      ),
    };
  });
}

/** A case's name for people: suite, case, strategy, policy and size. */
export function caseLabel(key: string): string {
  const [suite, kase, strategy, rows, policy] = key.split('|');
  return [suite, kase === 'backfill' ? '' : kase, strategy, policy, rows ? `${Number(rows).toLocaleString('en-US')} rows` : ''].filter(Boolean).join(' ');
}

/** Per operation (suite, case, strategy, policy), its worst harm to the writers over the sizes, per release. */
export function safetyHistory(releases: Release[]): { operation: string; verdicts: (SafetyVerdict | undefined)[] }[] {
  const operations = new Map<string, (SafetyVerdict | undefined)[]>();
  releases.forEach((release, i) => {
    for (const r of release.rows) {
      if (r.suite === 'setup') continue;
      const v = rowVerdict(r);
      if (!v) continue;
      const op = [r.suite, r.case === 'backfill' ? '' : r.case, r.strategy, cellsLabel(r, POLICY_COLUMNS)].filter(Boolean).join(' ');
      const row = operations.get(op) ?? releases.map(() => undefined);
      const old = row[i];
      row[i] = old === undefined || SAFETY_VERDICTS.indexOf(v) < SAFETY_VERDICTS.indexOf(old) ? v : old;
      operations.set(op, row);
    }
  });
  return [...operations].map(([operation, verdicts]) => ({ operation, verdicts }));
}
