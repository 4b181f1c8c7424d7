import { maxOf, mean } from '../core/numbers.js';
import { num, type ReadRow } from './csv.js';
import { namer, onLayout } from './names.js';
import { SAFETY_VERDICTS, type SafetyVerdict } from './safety.js';
import { rowVerdict } from './safety.js';

/**
 * Table size over its compact size beyond which a backfill counts as bloating it: one UPDATE
 * leaves about 1.8x, a walk with vacuum behind it about 1.1x (results/README.md).
 */
export const BLOAT_LIMIT = 1.25;

/** One batched backfill at the size a choice is made at. */
export interface BackfillOption {
  name: string;
  ms: number;
  /** Its time over one UPDATE's at the same size and layout; undefined without that reference. */
  ofUpdate?: number;
  worstWaitMs?: number;
  /** Table size after it over the compact size. */
  growth?: number;
  verdict?: SafetyVerdict;
}

/** What to use on one layout of one release: the fastest backfill that harmed no writer and left the table compact. */
export interface BackfillChoice {
  /** "on the plain table", "on 8 partitions". */
  layout: string;
  rows: number;
  use?: BackfillOption;
  /** Faster than the choice (or than nothing, when there is none), but harmful or bloating. */
  fasterAtACost: BackfillOption[];
}

/** Harmless to writers and within the bloat limit (a growth not measured does not count against it). */
export const isSafe = (o: BackfillOption) => o.verdict === 'no harm seen' && (o.growth === undefined || o.growth <= BLOAT_LIMIT);

/** SAFETY_VERDICTS is worst first. */
const worst = (verdicts: (SafetyVerdict | undefined)[]) => SAFETY_VERDICTS.find((v) => verdicts.includes(v));

/** The batched backfills measured at `size` on one layout, each averaged over its runs, fastest first. */
function optionsAt(rows: ReadRow[], size: number, name: (r: ReadRow) => string): BackfillOption[] {
  const at = rows.filter((r) => Number(r.rows) === size);
  const avg = (rs: ReadRow[], c: string) => mean(rs.flatMap((r) => num(r, c) ?? []));
  const updateMs = avg(
    at.filter((r) => r.strategy === 'single-update'),
    'mean_ms',
  );
  const names = [...new Set(at.filter((r) => r.strategy !== 'single-update').map(name))];
  const options = names.flatMap((n) => {
    const rs = at.filter((r) => name(r) === n);
    const ms = avg(rs, 'mean_ms');
    if (ms === undefined) return [];
    const worstWaitMs = maxOf(rs.map((r) => num(r, 'writer_max_ms')));
    return [{ name: n, ms, ofUpdate: updateMs ? ms / updateMs : undefined, worstWaitMs, growth: avg(rs, 'growth'), verdict: worst(rs.map(rowVerdict)) }];
  });
  return options.sort((a, b) => a.ms - b.ms);
}

/** Per layout, at the largest size a batched backfill was measured at: what to use, and what is faster at a cost. */
export function chooseBackfill(rows: ReadRow[]): BackfillChoice[] {
  const backfills = rows.filter((r) => r.suite === 'backfill');
  const name = namer(backfills);
  const layouts = [...new Set(backfills.map((r) => r.partitions ?? ''))];
  return layouts.flatMap((layout) => {
    const here = backfills.filter((r) => (r.partitions ?? '') === layout);
    const size = maxOf(here.filter((r) => r.strategy !== 'single-update').map((r) => Number(r.rows)));
    if (size === undefined) return [];
    const options = optionsAt(here, size, name);
    const use = options.find(isSafe);
    const fasterAtACost = options.filter((o) => !isSafe(o) && (use === undefined || o.ms < use.ms));
    return [{ layout: onLayout(here[0]!), rows: size, use, fasterAtACost }];
  });
}
