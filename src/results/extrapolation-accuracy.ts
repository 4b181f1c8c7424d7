import type { ReadRow } from './csv.js';
import { carry, growthOf, type MemoryLimits } from './growth.js';
import { logLogSlope } from './stats.js';

/** One operation's time at each size measured, from a `pgmb try` CSV (suite try, one row per statement and size). */
export interface MeasuredSeries {
  /** The statement as the CSV names it: `file:line KIND`. */
  operation: string;
  points: { rows: number; ms: number }[];
}

/** Statement rows of a try CSV, grouped by statement, sizes ascending; the run behind a long query and whole-migration rows left out. */
export function measuredSeries(rows: readonly ReadRow[]): MeasuredSeries[] {
  const by = new Map<string, { rows: number; ms: number }[]>();
  for (const r of rows) {
    if (r.suite !== 'try' || / (migration|transaction|behind)$/.test(r.case!)) continue;
    const points = by.get(r.case!) ?? [];
    points.push({ rows: Number(r.rows), ms: Number(r.mean_ms) });
    by.set(r.case!, points);
  }
  return [...by].map(([operation, points]) => ({ operation, points: points.sort((a, b) => a.rows - b.rows) }));
}

/** A way to carry times measured at some sizes to a larger one: a point, and where it has one, a range. */
export interface ExtrapolationModel {
  name: string;
  predict(operation: string, points: readonly { rows: number; ms: number }[], target: number): { ms: number; low?: number; high?: number };
}

/** What `pgmb try` did up to 0.7: the value at the largest size times (target / largest)^slope, the slope a log-log fit over the sizes. */
export const LOG_LOG: ExtrapolationModel = {
  name: 'log-log',
  predict(_op, points, target) {
    const largest = points[points.length - 1]!;
    const slope = Math.max(0, logLogSlope(points.map((p) => [p.rows, p.ms] as const)) ?? 1);
    return { ms: largest.ms * (target / largest.rows) ** slope };
  },
};

/** What `pgmb try` does now (results/growth.ts): fixed and growing parts fitted per kind of operation, a range, and the memory edge. */
export function growthModel(memory: MemoryLimits): ExtrapolationModel {
  return {
    name: 'growth',
    predict(operation, points, target) {
      const c = carry(points, target, growthOf(operation.replace(/^\S+:\d+ /, '')), memory);
      return { ms: c.ms, low: c.low, high: c.high };
    },
  };
}

/**
 * The memory limits a try CSV's whole-migration rows record: the server's settings (or the session's,
 * where --setting gave the run others), and the table's bytes per row at the largest size.
 */
export function memoryOf(rows: readonly ReadRow[], session: ReadonlyMap<string, string> = new Map()): MemoryLimits {
  const whole = rows.filter((r) => r.suite === 'try' && r.case!.endsWith(' migration')).sort((a, b) => Number(b.rows) - Number(a.rows))[0]!;
  const setting = (name: string) => session.get(name) ?? new RegExp(`(?:^|;)${name}=([^;]+)`).exec(whole.pg_settings ?? '')?.[1];
  const bytes = (text: string | undefined) => {
    const m = /^(\d+)(kB|MB|GB)$/.exec(text ?? '');
    return m ? Number(m[1]) * { kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[2] as 'kB' | 'MB' | 'GB'] : Number.NaN;
  };
  return {
    sharedBuffersBytes: bytes(setting('shared_buffers')),
    maintenanceWorkMemBytes: bytes(setting('maintenance_work_mem')),
    bytesPerRow: Number(whole.table_bytes_before) / Number(whole.rows),
  };
}

/** The accuracy CSV's columns, in order. */
export const ACCURACY_COLUMNS = ['operation', 'model', 'from', 'to', 'distance', 'measured_ms', 'predicted_ms', 'error_pct', 'low_ms', 'high_ms', 'covered'] as const;

export interface AccuracyRow {
  operation: string;
  model: string;
  /** The sizes predicted from, `100000+1000000`. */
  from: string;
  to: number;
  /** to / the largest size predicted from. */
  distance: number;
  measured_ms: number;
  predicted_ms: number;
  /** (predicted - measured) / measured, in percent: negative is optimistic. */
  error_pct: number;
  low_ms?: number;
  high_ms?: number;
  /** The measurement fell inside [low, high] (or, without a range, the point was not under it). */
  covered: boolean;
}

/**
 * Each size predicted from smaller ones by each model: from two sizes a decade apart (try's default
 * 100k,1m), and from every smaller size, at distances of about 3x and 10x.
 */
export function accuracyRows(series: readonly MeasuredSeries[], models: readonly ExtrapolationModel[]): AccuracyRow[] {
  const out: AccuracyRow[] = [];
  for (const s of series) {
    for (const target of s.points.slice(1)) {
      const smaller = s.points.filter((p) => p.rows < target.rows);
      for (const largest of smaller) {
        const distance = target.rows / largest.rows;
        if (distance < 2.5 || distance > 12) continue;
        const upTo = smaller.filter((p) => p.rows <= largest.rows);
        const decade = upTo.filter((p) => p.rows === largest.rows || Math.abs(largest.rows / p.rows - 10) < 0.5);
        for (const from of [decade, upTo].filter((f, i, all) => f.length >= 2 && (i === 0 || f.length !== all[0]!.length))) {
          for (const m of models) {
            const p = m.predict(s.operation, from, target.rows);
            const covered = p.low !== undefined && p.high !== undefined ? target.ms >= p.low && target.ms <= p.high : p.ms >= target.ms;
            out.push({
              operation: s.operation,
              model: m.name,
              from: from.map((x) => x.rows).join('+'),
              to: target.rows,
              distance: Math.round(distance * 10) / 10,
              measured_ms: Math.round(target.ms),
              predicted_ms: Math.round(p.ms),
              error_pct: Math.round(((p.ms - target.ms) / target.ms) * 1000) / 10,
              low_ms: p.low === undefined ? undefined : Math.round(p.low),
              high_ms: p.high === undefined ? undefined : Math.round(p.high),
              covered,
            });
          }
        }
      }
    }
  }
  return out;
}

/** Predictions of operations shorter than this at the target are listed but not summarized. */
const SUMMARIZED_MS = 100;

const pct = (n: number) => `${n > 0 ? '+' : ''}${n.toFixed(0)}%`;

/** The rows as a markdown page: per operation and prediction, each model's error; then each model's worst and median error by distance. */
export function accuracyTable(rows: readonly AccuracyRow[]): string {
  const models = [...new Set(rows.map((r) => r.model))];
  const cases = [...new Map(rows.map((r) => [`${r.operation}|${r.from}|${r.to}`, r])).values()];
  const lines = [`| operation | from | to | x | measured | ${models.map((m) => `${m} (error)`).join(' | ')} |`, `|---|---|---|---|---|${models.map(() => '---').join('|')}|`];
  for (const c of cases) {
    const cells = models.map((m) => {
      const r = rows.find((x) => x.model === m && x.operation === c.operation && x.from === c.from && x.to === c.to)!;
      const range = r.low_ms !== undefined ? ` [${r.low_ms}-${r.high_ms}]${r.covered ? '' : ' !'}` : '';
      return `${r.predicted_ms} ms (${pct(r.error_pct)})${range}`;
    });
    lines.push(`| ${c.operation.replace(/^\S+:\d+ /, '')} | ${c.from} | ${c.to} | ${c.distance} | ${c.measured_ms} ms | ${cells.join(' | ')} |`);
  }
  lines.push(
    '',
    `Summary of the predictions of operations that took ${SUMMARIZED_MS} ms or more at the target (shorter ones are noise-dominated: a DROP INDEX, a NOT VALID constraint):`,
    '',
    '| model | distance | predictions | median error | most optimistic | most pessimistic | within the range | over its upper end |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const m of models) {
    for (const [label, near] of [
      ['about 3x', (d: number) => d < 6],
      ['about 10x', (d: number) => d >= 6],
    ] as const) {
      const errs = rows.filter((r) => r.model === m && near(r.distance) && r.measured_ms >= SUMMARIZED_MS);
      if (!errs.length) continue;
      const sorted = errs.map((r) => r.error_pct).sort((a, b) => a - b);
      const ranged = errs.filter((r) => r.high_ms !== undefined);
      const within = ranged.length ? `${ranged.filter((r) => r.covered).length} of ${errs.length}` : '(a point)';
      const over = `${errs.filter((r) => r.measured_ms > (r.high_ms ?? r.predicted_ms)).length} of ${errs.length}`;
      lines.push(`| ${m} | ${label} | ${errs.length} | ${pct(sorted[Math.floor(sorted.length / 2)]!)} | ${pct(sorted[0]!)} | ${pct(sorted[sorted.length - 1]!)} | ${within} | ${over} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
