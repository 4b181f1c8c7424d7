import { seriesKey } from './compare.js';
import { cellsLabel, type ReadRow } from './csv.js';
import { CONDITION_COLUMNS } from './row.js';

/** Conditions a name carries; partitions name the table's layout instead. */
const THROTTLES = CONDITION_COLUMNS.filter((c) => c !== 'partitions');

const VACUUM_WORDS: Record<string, string> = { auto: 'with vacuum behind it', off: 'without vacuum' };

/** A backfill strategy in words: "one UPDATE", "ctid with vacuum behind it", "keyset max_lag_ms=1000". */
function strategyName(r: ReadRow): string {
  if (r.strategy === 'single-update') return 'one UPDATE';
  const vacuum = r.vacuum ? (VACUUM_WORDS[r.vacuum] ?? `vacuum=${r.vacuum}`) : '';
  return [r.strategy ?? '', vacuum].filter(Boolean).join(' ');
}

/** What one line follows in a chart and what a sentence names: a backfill strategy, or an operation; throttles kept. */
export function seriesName(r: ReadRow): string {
  const name = r.suite === 'backfill' ? strategyName(r) : (r.case ?? '');
  return [name, cellsLabel(r, THROTTLES)].filter(Boolean).join(' ');
}

/** The table the row ran on: the plain one or its partitioned copy. */
export const layoutName = (r: ReadRow) => (r.partitions ? `${r.partitions} partitions` : 'plain table');
/** "on the plain table", "on 8 partitions": where an operation ran, in a sentence. */
export const onLayout = (r: ReadRow) => (r.partitions ? `on ${r.partitions} partitions` : 'on the plain table');

/** The batch policy a name leaves out: two series that share a name are told apart by it. */
const BATCH_POLICY = ['batch_size', 'delay_ms', 'workers'];

/**
 * Names for the rows' series: seriesName, with the batch policy added where two series on one
 * layout would otherwise share a name (two batch sizes of ctid, say), so they are never averaged.
 */
export function namer(rows: ReadRow[]): (r: ReadRow) => string {
  const keys = new Map<string, Set<string>>();
  const at = (r: ReadRow) => `${seriesName(r)}|${layoutName(r)}`;
  for (const r of rows) keys.set(at(r), (keys.get(at(r)) ?? new Set<string>()).add(seriesKey(r)));
  return (r) => ((keys.get(at(r))?.size ?? 0) > 1 ? [seriesName(r), cellsLabel(r, BATCH_POLICY)].filter(Boolean).join(' ') : seriesName(r));
}

/** "1,000,000 rows". */
export const rowsLabel = (n: number) => `${n.toLocaleString('en-US')} rows`;

/**
 * Release names without what they all share: "baseline-0.3.0", "baseline-0.4.0" read as "0.3.0",
 * "0.4.0" in a legend. A single release keeps its name.
 */
export function shortReleaseNames(names: string[]): string[] {
  if (names.length < 2) return names;
  let prefix = names[0]!;
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  // Cut at a word boundary, so "v0.1.0", "v0.2.0" keep their "v0.".
  const cut = prefix.search(/[-_ ][^-_ ]*$/) + 1;
  return names.map((n) => n.slice(cut) || n);
}
