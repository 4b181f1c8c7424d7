import Table from 'cli-table3';
import { causeInWords } from '../measure/slow-write.js';
import { DEFAULT_WRITERS } from '../measure/writer-probe.js';
import { agreement, HARM_RULES, type Harm, type LintFinding, type LintResult } from '../lint/squawk.js';
import { blocksWriters, type GroupVerdict, type Projection, type StatementVerdict, type TryVerdicts } from '../results/try-verdict.js';

/** `1000000` -> `1m`, `250000` -> `250k`. */
export function shortRows(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}m`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

const ms = (n: number | undefined) => (n === undefined ? '' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const projected = (p: Projection) => `${ms(p.ms)}${p.from ? '*' : ''}`;

/** Writers held less than this while a statement ran: it did them no harm worth a name. */
export const HARMLESS_MS = 50;

/**
 * A statement's harm, as measured: `harm` when it holds writers past --max-block at the target or
 * rewrote the table under a lock writers wait for; `none` when writers were held under HARMLESS_MS
 * and nothing was rewritten; `some` in between (held, but under --max-block).
 */
export function measuredHarm(s: StatementVerdict): Harm {
  if (s.verdict === 'blocks writers' || (s.rewritten && blocksWriters(s.lock))) return 'harm';
  return (s.heldMs ?? 0) < HARMLESS_MS && !s.rewritten ? 'none' : 'some';
}

/** Each lint finding of a statement with what the measurement says of it, and harm no rule named. */
export function lintCell(s: StatementVerdict, lint: LintResult | undefined): string[] {
  if (!lint || 'unavailable' in lint) return [];
  const mine = lint.findings.filter((f) => f.statement === s.key);
  const harm = measuredHarm(s);
  const cells = mine.filter((f) => HARM_RULES.has(f.rule)).map((f) => `${f.rule}: ${agreement(f.rule, harm)}`);
  if (harm === 'harm' && !mine.some((f) => HARM_RULES.has(f.rule))) cells.push('missed by lint');
  const other = mine.filter((f) => !HARM_RULES.has(f.rule)).length;
  if (other) cells.push(`+${other} style`);
  return cells;
}

/** The lock a statement took; in a transaction that already held a stronger one, nothing new shows. */
function lockCell(s: StatementVerdict, v: TryVerdicts): string {
  if (s.lock) return s.lock;
  const group = v.groups.find((g) => g.statements.includes(s.key));
  return group?.holder && group.statements.indexOf(group.holder) < group.statements.indexOf(s.key) ? '(already held)' : '';
}

function statementRow(s: StatementVerdict, v: TryVerdicts, sizes: number[], lint: LintResult | undefined): string[] {
  return [
    s.key,
    s.kind,
    lockCell(s, v),
    s.rewritten ? 'yes' : 'no',
    ...sizes.map((n) => ms(s.msBySize.get(n))),
    projected(s.atTarget),
    ms(s.heldMs),
    s.verdict === 'blocks writers' ? `BLOCKS writers: ${s.reason}` : s.verdict,
    lintCell(s, lint).join('\n'),
  ];
}

function groupLine(g: GroupVerdict, v: TryVerdicts): string {
  const held = `writers held ${projected(g.heldAtTarget)} at ${shortRows(v.target)} rows`;
  const by = g.holder ? `, by the lock ${g.holder} took, until COMMIT` : '';
  return `transaction ${g.statements[0]} .. ${g.statements[g.statements.length - 1]} (${g.statements.length} statements): ${held}${by}: ${g.verdict}`;
}

/** The simulated writers over every size: where they wrote, how many writes, how many failed. */
export interface WriterSummary {
  tables: string[];
  writes: number;
  errors: number;
  /** What the failed writes said: a few distinct server messages. */
  errorMessages: string[];
  /** The slowest write at the largest size, and why it waited, when it was over 100 ms. */
  worst?: { ms: number; cause: string };
}

/** The terminal report: a row per statement, a line per multi-statement transaction, the verdict last. */
export function formatTry(v: TryVerdicts, sizes: number[], lint: LintResult | undefined, writers: WriterSummary | undefined): string {
  const table = new Table({
    head: ['statement', 'kind', 'lock', 'rewrite', ...sizes.map((n) => `${shortRows(n)} rows`), `at ${shortRows(v.target)}`, 'writers held', 'verdict', 'lint (squawk)'],
    style: { head: [], border: [], compact: true },
  });
  for (const s of v.statements) table.push(statementRow(s, v, sizes, lint));
  const lines = [table.toString()];
  for (const g of v.groups.filter((g) => g.inTransaction && g.statements.length > 1)) lines.push(groupLine(g, v));
  const extrapolated = [...v.statements.map((s) => s.atTarget), ...v.groups.map((g) => g.heldAtTarget)].find((p) => p.from);
  if (extrapolated) {
    lines.push(
      `* extrapolated to ${shortRows(v.target)} rows from ${extrapolated.from!.map(shortRows).join(', ')}` +
        (extrapolated.assumed ? ' (one size measured: linear growth assumed; measure two sizes for a fitted one)' : ' (log-log fit of each figure over the sizes measured)'),
    );
  }
  if (writers) {
    const said = writers.errorMessages.map((m) => `"${m}"`).join('; ');
    const failed = writers.errors ? `, ${writers.errors} of them failed (${said}; the migration may have changed what they write: their waits still count)` : '';
    lines.push(`writers: ${DEFAULT_WRITERS.connections} simulated connections ${writers.tables.length === 1 ? 'on' : 'on each of'} ${writers.tables.join(', ')}, inserting and updating, ${writers.writes} writes${failed}; "writers held" is the longest a write waited while the statement ran`);
    if (writers.worst) lines.push(`worst write ${ms(writers.worst.ms)}, ${causeInWords(writers.worst.cause)}`);
  }
  if (lint && 'unavailable' in lint) lines.push(`lint: ${lint.unavailable} (measurement unaffected)`);
  if (v.failed) lines.push(`FAILED at ${shortRows(v.failed.rows)} rows: ${v.failed.key}: ${v.failed.error}`);
  const blocking = v.groups.filter((g) => g.verdict === 'blocks writers');
  lines.push(
    blocking.length
      ? `FAIL: ${blocking.length} of ${v.groups.length} transaction(s) hold writers >= ${ms(v.maxBlockMs)} at ${shortRows(v.target)} rows`
      : v.failed
        ? 'FAIL: the migration failed on the synthetic data'
        : `OK: no statement or transaction holds writers >= ${ms(v.maxBlockMs)} at ${shortRows(v.target)} rows`,
  );
  return `${lines.join('\n')}\n`;
}

/** `::error file=...,line=...::` lines for GitHub Actions: each blocking statement and a failure. */
export function githubAnnotations(v: TryVerdicts): string[] {
  const at = (key: string) => {
    const i = key.lastIndexOf(':');
    return `file=${key.slice(0, i)},line=${key.slice(i + 1)}`;
  };
  const out = v.statements.filter((s) => s.verdict === 'blocks writers').map((s) => `::error ${at(s.key)}::pgmb try: ${s.kind} ${s.reason} at ${shortRows(v.target)} rows (max ${ms(v.maxBlockMs)})`);
  if (v.failed) out.push(`::error ${at(v.failed.key)}::pgmb try: failed on ${shortRows(v.failed.rows)} synthetic rows: ${v.failed.error}`);
  return out;
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
