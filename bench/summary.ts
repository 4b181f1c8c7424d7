import Table from 'cli-table3';
import type { CsvRow } from '../src/results/row.js';
import { causeInWords } from '../src/measure/slow-write.js';
import { columnsVerdict, SAFETY_VERDICTS } from '../src/results/safety.js';

const n = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** The seed's TestBackfillLargeDataset_1MillionRows expectation and its failure line. */
export const SEED_EXPECTED_S = 400;
export const SEED_FAIL_S = 800;

/** The safety verdict of one bench row. */
export const rowVerdict = (r: CsvRow) => columnsVerdict((column) => n(r[column]));

const fixed = (v: unknown, digits = 1) => (n(v) === undefined ? '' : n(v)!.toFixed(digits));
const count = (v: unknown) => (n(v) === undefined ? '' : Math.round(n(v)!).toLocaleString('en-US'));
const compactNumber = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
/** What tells a case apart inside its suite: strategy, vacuum and partitions. */
const caseName = (r: CsvRow) =>
  [r.case === 'backfill' ? r.strategy : r.case, r.vacuum !== undefined ? `vacuum=${r.vacuum}` : '', r.partitions ? `${r.partitions} partitions` : ''].filter(Boolean).join(' ');

/** Per fixture: each batched strategy's time against one whole-table UPDATE of the same rows. */
function backfillHeadlines(rows: CsvRow[]): string[] {
  // A fixture and its throttle limits: a throttled run is compared with its own UPDATE.
  const fixtureOf = (r: CsvRow) => `${r.rows}|${r.partitions ?? ''}|${r.max_lag_ms ?? ''}|${r.max_writer_p99_ms ?? ''}`;
  const backfills = rows.filter((r) => r.suite === 'backfill');
  return [...new Set(backfills.map(fixtureOf))].map((f) => {
    const [size, partitions] = f.split('|');
    const same = backfills.filter((r) => fixtureOf(r) === f);
    const update = same.find((r) => r.strategy === 'single-update');
    const base = n(update?.mean_ms);
    const others = same
      .filter((r) => r !== update)
      .map((r) => `${caseName(r).replace(/ \d+ partitions/, '')} ${base && n(r.mean_ms) ? `${(n(r.mean_ms)! / base).toFixed(2)}x` : `${fixed(r.mean_ms)} ms`}`);
    const where = `${count(Number(size))} rows${partitions ? `, ${partitions} partitions` : ''}`;
    return `  backfill, ${where}: one UPDATE ${base === undefined ? 'not measured' : `${fixed(base)} ms`}${others.length ? `; batched, as a multiple of its time: ${others.join(', ')}` : ''}`;
  });
}

/** Each operation's worst harm to the writers over the sizes measured, one line per verdict; why the worst write waited beside each harmful one. */
function safetyHeadlines(rows: CsvRow[]): string[] {
  const worst = new Map<string, { verdict: number; row: CsvRow }>();
  for (const r of rows) {
    const v = rowVerdict(r);
    if (!v || r.suite === 'setup') continue;
    const op = `${r.suite} ${caseName(r)}`;
    const seen = worst.get(op);
    const verdict = SAFETY_VERDICTS.indexOf(v);
    if (!seen || verdict < seen.verdict || (verdict === seen.verdict && (n(r.writer_max_ms) ?? 0) > (n(seen.row.writer_max_ms) ?? 0))) worst.set(op, { verdict, row: r });
  }
  return SAFETY_VERDICTS.flatMap((verdict, i) => {
    const ops = [...worst].filter(([, w]) => w.verdict === i);
    if (!ops.length) return [];
    // The harmless are counted, not listed: the lines that matter stay short.
    if (verdict === 'no harm seen') return [`  ${verdict}: ${ops.length} operation(s)`];
    return [`  ${verdict}:`, ...ops.map(([op, w]) => `    ${op}: worst write ${fixed(w.row.writer_max_ms, 0)} ms${w.row.writer_max_cause ? `, ${causeInWords(String(w.row.writer_max_cause))}` : ''}`)];
  });
}

/** One line per case, grouped by suite; the full detail stays in the CSV and the report. */
function caseLines(rows: CsvRow[]): string {
  const table = new Table({
    head: ['', 'rows', 'mean ms', '±rme', 'rows/s', 'lock', 'rewrite', 'writer max ms', 'reader max ms', 'growth', 'NULLs left'],
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '  ',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
  });
  let suite: unknown;
  for (const r of rows) {
    if (r.suite !== suite) table.push([{ colSpan: 11, content: String(r.suite) }]);
    suite = r.suite;
    table.push([
      `  ${caseName(r)}`,
      count(r.rows),
      fixed(r.mean_ms),
      n(r.rme_pct) === undefined ? '' : `${fixed(r.rme_pct, 0)}%`,
      n(r.rows_per_sec) === undefined ? '' : compactNumber.format(n(r.rows_per_sec)!),
      String(r.lock_mode ?? ''),
      r.table_rewritten === true ? 'yes' : '',
      fixed(r.writer_max_ms),
      fixed(r.reader_max_ms),
      n(r.growth) === undefined ? '' : `${fixed(r.growth, 2)}x`,
      count(r.nulls_left),
    ]);
  }
  return table.toString();
}

/** What a person reads after a bench run: the headlines first, then one line per case. */
export function summary(rows: CsvRow[]): string {
  const backfill = backfillHeadlines(rows);
  const safety = safetyHeadlines(rows);
  return [...(backfill.length ? ['speed', ...backfill] : []), ...(safety.length ? ['writers beside each operation (worst over the sizes)', ...safety] : []), '', caseLines(rows)].join('\n');
}

export function seedComparison(rows: CsvRow[]): string {
  const classic = rows.find((r) => r.strategy === 'classic');
  if (!classic || typeof classic.mean_ms !== 'number') return 'seed profile: no classic row measured';
  const s = classic.mean_ms / 1000;
  const verdict = s <= SEED_FAIL_S ? 'within' : 'OVER';
  return (
    `seed profile: 1,000,000 rows, batches of 5,000, 1 s sleep: ${s.toFixed(1)} s measured, ` +
    `${Math.round(Number(classic.rows_per_sec))} rows/s; the seed expects ~${SEED_EXPECTED_S} s (~2,500 rows/s) ` +
    `and fails over ${SEED_FAIL_S} s: ${verdict} the line`
  );
}
