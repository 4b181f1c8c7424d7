import { createHash } from 'node:crypto';
import Table from 'cli-table3';
import { maxOf } from '../core/numbers.js';
import { causeInWords } from '../measure/slow-write.js';
import type { LintFinding, LintResult } from '../lint/squawk.js';
import { lintCell } from '../try/lint-agreement.js';
import type { WriterSummary } from '../try/types.js';
import { FAILING, type GroupVerdict, type Projection, type StatementVerdict, type TryVerdicts } from '../try/verdict.js';
import { VERDICTS, type VerdictWord } from '../results/verdicts.js';

/** `1000000` -> `1m`, `250000` -> `250k`. */
export function shortRows(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}m`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

export const ms = (n: number | undefined) => (n === undefined ? '' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
/** A figure at the target: measured, or carried there as a range (`1.9-2.9 s*`). */
export const projected = (p: Projection) => (p.from && p.low !== undefined && p.high !== undefined ? `${ms(p.low)}-${ms(p.high)}*` : ms(p.ms));

/** The lock a statement took; in a transaction that already held a stronger one, nothing new shows. */
function lockCell(s: StatementVerdict, v: TryVerdicts): string {
  if (s.lock) return s.lock;
  const group = v.groups.find((g) => g.statements.includes(s.key));
  return group?.holder && group.statements.indexOf(group.holder) < group.statements.indexOf(s.key) ? '(already held)' : '';
}

/** A failing verdict loud, with why: `BLOCKS readers and writers: waited 3.0 s ...`. */
const verdictCell = (s: StatementVerdict) => (s.verdict === 'ok' || !s.reason ? s.verdict : `${s.verdict.replace(/^blocks/, 'BLOCKS').replace(/^times out/, 'TIMES OUT')}: ${s.reason}`);

function statementRow(s: StatementVerdict, v: TryVerdicts, sizes: number[], lint: LintResult | undefined): string[] {
  return [
    s.key,
    s.kind,
    lockCell(s, v),
    s.rewritten ? 'yes' : 'no',
    ...sizes.map((n) => ms(s.msBySize.get(n))),
    projected(s.atTarget),
    ms(s.heldMs),
    ms(s.readersHeldMs),
    ...(v.longQueryMs ? [ms(s.waitedBehindMs)] : []),
    verdictCell(s),
    lintCell(s, lint).join('\n'),
  ];
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
      `long query: at ${shortRows(sizes.at(-1)!)} rows the migration ran again with a ${ms(v.longQueryMs)} query holding each touched table (ACCESS SHARE) from just before it; "waited behind" is how long a statement waited for its lock there, and what that added to traffic held is in the verdict`,
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

/** The terminal report: a row per statement, a line per multi-statement transaction, the verdict last. */
export function formatTry(v: TryVerdicts, sizes: number[], lint: LintResult | undefined, writers: WriterSummary | undefined): string {
  const table = new Table({
    head: [
      'statement',
      'kind',
      'lock',
      'rewrite',
      ...sizes.map((n) => `${shortRows(n)} rows`),
      `at ${shortRows(v.target)}`,
      'writers held',
      'readers held',
      ...(v.longQueryMs ? ['waited behind'] : []),
      'verdict',
      'lint (squawk)',
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const s of v.statements) table.push(statementRow(s, v, sizes, lint));
  const lines = [table.toString()];
  for (const g of v.groups.filter((g) => g.inTransaction && g.statements.length > 1)) lines.push(groupLine(g, v));
  const carried = carriedLine(v);
  if (carried) lines.push(carried);
  for (const line of trafficLines(v, sizes, writers)) lines.push(line);
  if (lint && 'unavailable' in lint) lines.push(`lint: ${lint.unavailable} (measurement unaffected)`);
  if (v.failed) lines.push(`${v.failed.verdict === 'failed' ? 'FAILED' : 'DEADLOCK'} at ${shortRows(v.failed.rows)} rows: ${v.failed.key}: ${v.failed.error}`);
  for (const w of shownWords(v, lint)) lines.push(`${w}: what to do: ${(VERDICTS[w] as { todo: string }).todo}`);
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
  const at = (key: string) => ({ file: key.slice(0, key.lastIndexOf(':')), line: Number(key.slice(key.lastIndexOf(':') + 1)) });
  const out = v.statements
    .filter((s) => FAILING.includes(s.verdict))
    .map((s) => ({ ...at(s.key), verdict: s.verdict, message: `pgmb try: ${s.kind} ${s.verdict}: ${s.reason} at ${shortRows(v.target)} rows (max ${ms(v.maxBlockMs)})` }));
  if (v.failed) out.push({ ...at(v.failed.key), verdict: v.failed.verdict, message: `pgmb try: ${v.failed.verdict} at ${shortRows(v.failed.rows)} synthetic rows: ${v.failed.error}` });
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
    statements: v.statements.map((s) => ({ ...s, msBySize: obj(s.msBySize), lint: lintCell(s, lint) })),
    transactions: v.groups.map((g) => ({ ...g, msBySize: obj(g.msBySize), heldBySize: obj(g.heldBySize) })),
    lint: lint && 'unavailable' in lint ? { unavailable: lint.unavailable } : (lint?.findings ?? []).map((f: LintFinding) => f),
  };
}
