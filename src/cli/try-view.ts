import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import { oneLine, tenthsOfSecond } from '../core/format.js';
import { maxOf } from '../core/numbers.js';
import { causeInWords } from '../measure/slow-write.js';
import type { LintFinding, LintResult } from '../lint/squawk.js';
import { keyLocation } from '../migrations/index.js';
import { lintCell } from '../try/lint-agreement.js';
import type { WriterSummary } from '../try/types.js';
import { renderTable, wrap, type TableColumn, type TableRow } from './try-table.js';
import { FAILING, upperEnd, type GroupVerdict, type Projection, type StatementVerdict, type TryVerdicts } from '../try/verdict.js';
import { VERDICTS, type VerdictWord } from '../results/verdicts.js';

/** `1000000` -> `1m`, `250000` -> `250k`. */
export function shortRows(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}m`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** A duration in ms, in seconds from `secondsFrom` on: `683 ms`, `12.6 s`. */
const duration = (n: number | undefined, secondsFrom: number) => (n === undefined ? '' : n >= secondsFrom ? tenthsOfSecond(n) : `${Math.round(n)} ms`);
/** In a sentence: ms up to 10 s. */
export const ms = (n: number | undefined) => duration(n, 10_000);

/** In a table cell, where width counts: seconds from 1 s. */
const short = (n: number | undefined) => duration(n, 1000);
/** A range in a table cell, one unit where both ends share it: `300-400 ms`, `3.1-12.6 s`, `800 ms-1.2 s`. */
function shortRange(low: number, high: number): string {
  if (high < 1000) return `${Math.round(low)}-${Math.round(high)} ms`;
  if (low >= 1000) return `${(low / 1000).toFixed(1)}-${(high / 1000).toFixed(1)} s`;
  return `${short(low)}-${short(high)}`;
}
/** A figure at the target in a table cell: measured, or the range it was carried to, marked `*`. */
export const projected = (p: Projection) => (p.from && p.low !== undefined && p.high !== undefined ? `${shortRange(p.low, p.high)}*` : short(p.ms));

/** The lock a statement took, without the `Lock` every mode ends with; in a transaction that already held a stronger one, nothing new shows. */
function lockCell(s: StatementVerdict, v: TryVerdicts): string {
  if (s.lock) return s.lock.replace(/Lock$/, '');
  const group = v.groups.find((g) => g.statements.includes(s.key));
  return group?.holder && group.statements.indexOf(group.holder) < group.statements.indexOf(s.key) ? '(held)' : '';
}

/** A verdict in plain words, its first word loud when it fails: `BLOCKS readers and writers`. */
const verdictCell = (s: StatementVerdict) => s.verdict.replace(/^blocks/, 'BLOCKS').replace(/^times out/, 'TIMES OUT');

/** A lint rule as its initials (`require-concurrent-index-creation` -> `RCIC`). */
const initials = (rule: string) =>
  rule
    .split('-')
    .map((w) => w[0]!.toUpperCase())
    .join('');

/** The lint cell in short codes: `RCIC confirmed, +3 style`. */
const lintShort = (cells: string[]) => cells.map((c) => (c.includes(': ') ? `${initials(c.slice(0, c.indexOf(': ')))} ${c.slice(c.indexOf(': ') + 2)}` : c)).join(', ');

/** The lint codes a report uses, spelled out. */
function lintLegend(v: TryVerdicts, lint: LintResult | undefined): string | undefined {
  const rules = [
    ...new Set(
      v.statements
        .flatMap((s) => lintCell(s, lint))
        .filter((c) => c.includes(': '))
        .map((c) => c.slice(0, c.indexOf(': '))),
    ),
  ];
  return rules.length ? `lint (squawk): ${rules.map((r) => `${initials(r)} ${r}`).join(', ')}` : undefined;
}

/** The table's columns: sizes only when more than one was measured, the wait only behind a long query. */
function columnsOf(v: TryVerdicts, sizes: number[]): TableColumn[] {
  return [
    { head: 'verdict' },
    { head: 'statement' },
    { head: 'lock', dropRank: 3 },
    ...(sizes.length > 1 ? sizes.map((n): TableColumn => ({ head: shortRows(n), right: true, dropRank: 1 })) : []),
    { head: `at ${shortRows(v.target)}`, right: true },
    { head: 'writers', right: true },
    { head: 'readers', right: true, dropRank: 5 },
    ...(v.longQueryMs ? [{ head: 'waited', right: true, dropRank: 4 }] : []),
    { head: 'lint', dropRank: 2 },
  ];
}

function statementRow(s: StatementVerdict, v: TryVerdicts, sizes: number[], lint: LintResult | undefined, root: string | undefined): TableRow {
  const { file, line } = keyLocation(s.key);
  return {
    group: fromRoot(file, root),
    failing: FAILING.includes(s.verdict),
    // A command's statement has no file to open: its text, shortened, says which it is.
    notes: [...(s.reason ? [s.reason] : []), ...(s.sql ? [excerpt(s.sql)] : [])],
    cells: [
      verdictCell(s),
      `:${line} ${s.kind}${s.executions ? ` x${s.executions}` : ''}${s.rewritten ? ' (rewrites)' : ''}`,
      lockCell(s, v),
      ...(sizes.length > 1 ? sizes.map((n) => short(s.msBySize.get(n))) : []),
      projected(s.atTarget),
      short(s.heldMs),
      short(s.readersHeldMs),
      ...(v.longQueryMs ? [short(s.waitedBehindMs)] : []),
      lintShort(lintCell(s, lint)),
    ],
  };
}

function groupLine(g: GroupVerdict, v: TryVerdicts): string {
  const held = `writers held ${projected(g.heldAtTarget)}, readers ${projected(g.readersHeldAtTarget)} at ${shortRows(v.target)} rows`;
  const by = g.holder ? `, by the lock ${g.holder} took, until COMMIT` : '';
  const behind = g.behind ? `; behind the long query: waited ${ms(g.behind.waitedMs)}, writers held ${ms(g.behind.heldMs)}, readers ${ms(g.behind.readersHeldMs)}` : '';
  return `transaction ${g.statements[0]} .. ${g.statements[g.statements.length - 1]} (${g.statements.length} statements): ${held}${by}${behind}: ${g.verdict}`;
}

/** The verdict words this report shows that have something to do, in the catalogue's order. */
export function shownWords(v: TryVerdicts, lint: LintResult | undefined): VerdictWord[] {
  const shown = new Set<string>(v.statements.map((s) => s.verdict));
  if (v.failed) shown.add(v.failed.verdict);
  for (const cell of v.statements.flatMap((s) => lintCell(s, lint))) shown.add(cell);
  return (Object.keys(VERDICTS) as VerdictWord[]).filter((w) => shown.has(w) && 'todo' in VERDICTS[w]);
}

/** The footnote of figures carried to the target: how, past the memory edge, and too far. */
function carriedLine(v: TryVerdicts): string | undefined {
  const projections = [...v.statements.map((s) => s.atTarget), ...v.groups.map((g) => g.heldAtTarget)];
  const extrapolated = projections.find((p) => p.from);
  if (!extrapolated) return undefined;
  const far = v.target / (maxOf(extrapolated.from!) ?? v.target);
  return (
    `* carried to ${shortRows(v.target)} rows from ${extrapolated.from!.map(shortRows).join(', ')}: ` +
    (extrapolated.assumed
      ? 'one size measured, all of it assumed to grow (measure two sizes or more for a fitted range)'
      : 'fixed and growing parts fitted (n log n for index builds, linear otherwise), a range; verdicts judge its upper end') +
    (projections.some((p) => p.pastMemory)
      ? `; past the size where the work leaves memory on this server (shared_buffers, maintenance_work_mem), the upper end allows for it (results/extrapolation-0.8.0)`
      : '') +
    (far > 10
      ? `; carried ${Math.round(far)}x past the largest size measured, further than the accuracy table checks (10x): measure a larger size (--sizes auto --target-rows ${shortRows(v.target)}) before trusting it`
      : '')
  );
}

/** What the simulated traffic did, and the long query it was measured behind. */
function trafficLines(v: TryVerdicts, sizes: number[], writers: WriterSummary | undefined): string[] {
  const lines: string[] = [];
  if (writers) {
    const said = writers.errorMessages.map((m) => `"${m}"`).join('; ');
    const failed = writers.errors ? `, ${writers.errors} of them failed (${said}; the migration may have changed what they write: their waits still count)` : '';
    lines.push(
      `writers: ${writers.connections} simulated connections ${writers.tables.length === 1 ? 'on' : 'on each of'} ${writers.tables.join(', ')}, inserting and updating, ${writers.writes} writes${failed}; "writers held" is the longest a write waited while the statement ran`,
    );
    if (writers.worst) lines.push(`worst write ${ms(writers.worst.ms)}, ${causeInWords(writers.worst.cause)}`);
    const r = writers.readers;
    if (r)
      lines.push(
        `readers: ${r.connections} simulated connections on each, reading a row by primary key or a short key range, ${r.reads} reads${r.errors ? `, ${r.errors} failed` : ''}; "readers held" is the longest a read waited`,
      );
  }
  if (v.longQueryMs)
    lines.push(
      `long query: at ${shortRows(sizes.at(-1)!)} rows the migration ran again with a ${ms(v.longQueryMs)} query holding each touched table (ACCESS SHARE) from just before it; "waited" is how long a statement waited for its lock there, and what that added to traffic held is in the verdict`,
    );
  return lines;
}

/** The last line: FAIL with what failed, or OK with what was checked. */
export function verdictLine(v: TryVerdicts): string {
  const count = (word: string) => v.groups.filter((g) => g.verdict === word).length;
  const at = `>= ${ms(v.maxBlockMs)} at ${shortRows(v.target)} rows`;
  const fails = [
    count('blocks writers') && `${count('blocks writers')} of ${v.groups.length} transaction(s) hold writers ${at}`,
    count('blocks readers and writers') && `${count('blocks readers and writers')} of ${v.groups.length} transaction(s) hold readers and writers ${at}`,
    count('times out behind a long query') &&
      `${count('times out behind a long query')} of ${v.groups.length} transaction(s) give up behind the long query (lock_timeout): the deploy fails without retries`,
  ].filter(Boolean);
  if (fails.length) return `FAIL: ${fails.join('; ')}`;
  if (v.failed) return `FAIL: ${v.failed.verdict === 'failed' ? 'the migration failed on the synthetic data' : 'the migration deadlocked with the writers'}`;
  return `OK: no statement or transaction holds writers or readers ${at}${v.longQueryMs ? ', quiet or behind the long query' : ''}`;
}

/** How the terminal report is drawn: the width to fit, and whether to colour the verdicts. */
export interface TableStyle {
  width: number;
  colour: boolean;
  /** The project root given: each file's heading is its path from there. */
  root?: string;
}

const EXCERPT_CHARS = 100;

/** A statement's text on one line, cut to EXCERPT_CHARS. */
const excerpt = (sql: string) => {
  const line = oneLine(sql);
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS - 3)}...` : line;
};

/** A file under the project root as its path from the root (the heading shown once per file); one elsewhere as given. */
export function fromRoot(file: string, root: string | undefined): string {
  if (!root) return file;
  const rel = relative(resolve(root), resolve(file));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** For scripts: a tab-separated line per statement (file:line, verdict, kind, lock, ms at the target as the verdict judges it, writers and readers held), then the verdict line. */
export function formatPlain(v: TryVerdicts): string {
  const lines = v.statements.map((s) => [s.key, s.verdict, s.kind, s.lock ?? '', Math.round(upperEnd(s.atTarget)), Math.round(s.heldMs ?? 0), Math.round(s.readersHeldMs ?? 0)].join('\t'));
  return `${[...lines, verdictLine(v)].join('\n')}\n`;
}

/** The terminal report: a heading per file and a line per statement, a line per multi-statement transaction, the verdict last. */
export function formatTry(v: TryVerdicts, sizes: number[], lint: LintResult | undefined, writers: WriterSummary | undefined, style: TableStyle = { width: 120, colour: false }): string {
  const table = renderTable(
    columnsOf(v, sizes),
    v.statements.map((s) => statementRow(s, v, sizes, lint, style.root)),
    style.width,
    style.colour,
  );
  const lines = [...table];
  const legend = lintLegend(v, lint);
  if (legend) lines.push(legend);
  // Sentences are wrapped to the width; the failure and verdict lines stay whole, for grep.
  const said = [
    ...v.groups.filter((g) => g.inTransaction && g.statements.length > 1).map((g) => groupLine(g, v)),
    carriedLine(v),
    ...trafficLines(v, sizes, writers),
    lint && 'unavailable' in lint ? `lint: ${lint.unavailable} (measurement unaffected)` : undefined,
    ...shownWords(v, lint).map((w) => `${w}: what to do: ${(VERDICTS[w] as { todo: string }).todo}`),
  ];
  for (const sentence of said) if (sentence) for (const l of wrap(sentence, style.width, '')) lines.push(l);
  if (v.failed) lines.push(`${v.failed.verdict === 'failed' ? 'FAILED' : 'DEADLOCK'} at ${shortRows(v.failed.rows)} rows: ${v.failed.key}: ${v.failed.error}`);
  lines.push(verdictLine(v));
  return `${lines.join('\n')}\n`;
}

/** What a CI system shows on a line of a file: each failing statement, and a failure on the synthetic rows. */
export interface TryFinding {
  file: string;
  line: number;
  verdict: string;
  message: string;
}

export function tryFindings(v: TryVerdicts): TryFinding[] {
  const out = v.statements
    .filter((s) => FAILING.includes(s.verdict))
    .map((s) => ({ ...keyLocation(s.key), verdict: s.verdict, message: `pgmb try: ${s.kind} ${s.verdict}: ${s.reason} at ${shortRows(v.target)} rows (max ${ms(v.maxBlockMs)})` }));
  if (v.failed) out.push({ ...keyLocation(v.failed.key), verdict: v.failed.verdict, message: `pgmb try: ${v.failed.verdict} at ${shortRows(v.failed.rows)} synthetic rows: ${v.failed.error}` });
  return out;
}

/** `::error file=...,line=...::` lines for GitHub Actions. */
export function githubAnnotations(v: TryVerdicts): string[] {
  return tryFindings(v).map((f) => `::error file=${f.file},line=${f.line}::${f.message}`);
}

/** GitLab's code quality report (a JSON array): each finding on its line, blocking readers and writers the most severe. */
export function gitlabCodeQuality(v: TryVerdicts): unknown[] {
  return tryFindings(v).map((f) => ({
    description: f.message,
    check_name: `pgmb-try/${f.verdict.replace(/ /g, '-')}`,
    fingerprint: createHash('sha256').update(`${f.file}:${f.line}:${f.verdict}`).digest('hex'),
    severity: f.verdict === 'blocks readers and writers' ? 'blocker' : 'critical',
    location: { path: f.file, lines: { begin: f.line } },
  }));
}

/** The verdicts as JSON: Maps as objects keyed by row count. */
export function tryJson(v: TryVerdicts, lint: LintResult | undefined, writers: WriterSummary | undefined): unknown {
  const obj = (m: Map<number, number>) => Object.fromEntries(m);
  return {
    target_rows: v.target,
    max_block_ms: v.maxBlockMs,
    failing: v.failing,
    failed: v.failed,
    writers,
    statements: v.statements.map((s) => ({ ...s, msBySize: obj(s.msBySize), rowsBySize: s.rowsBySize && obj(s.rowsBySize), lint: lintCell(s, lint) })),
    transactions: v.groups.map((g) => ({ ...g, msBySize: obj(g.msBySize), heldBySize: obj(g.heldBySize) })),
    lint: lint && 'unavailable' in lint ? { unavailable: lint.unavailable } : (lint?.findings ?? []).map((f: LintFinding) => f),
  };
}
