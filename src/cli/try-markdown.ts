import type { LintResult } from '../lint/squawk.js';
import { keyLocation } from '../migrations/index.js';
import { VERDICTS } from '../results/verdicts.js';
import { lintCell } from '../try/lint-agreement.js';
import type { TryOutcome } from '../try/types.js';
import { FAILING, type StatementVerdict } from '../try/verdict.js';
import { ms, projected, shortRows, shownWords, verdictLine } from './try-view.js';

/** `dir/1_add.sql:12` -> `dir/1_add.sql`: the migration file a statement is in. */
const fileOf = (key: string) => keyLocation(key).file;
const worst = (ss: StatementVerdict[]) => ss.find((s) => FAILING.includes(s.verdict))?.verdict ?? ss.find((s) => s.verdict !== 'ok')?.verdict ?? 'ok';
const cell = (text: string) => text.replace(/\|/g, '\\|');

/** One statement folded: its verdict in the summary, its figures and lint inside. */
function statementDetails(s: StatementVerdict, sizes: number[], target: number, lint: LintResult | undefined): string[] {
  const bySize = sizes.map((n) => `${shortRows(n)}: ${ms(s.msBySize.get(n))}`).join(', ');
  const lines = [
    `<details><summary><code>${s.key}</code> ${s.kind}: <b>${s.verdict}</b></summary>`,
    '',
    ...(s.reason ? [`${s.reason}.`, ''] : []),
    `- lock ${s.lock ?? 'none'}${s.rewritten ? ', rewrites the table' : ''}; ${bySize}; at ${shortRows(target)}: ${projected(s.atTarget)}`,
    `- writers held ${ms(s.heldMs) || '0 ms'}, readers held ${ms(s.readersHeldMs) || '0 ms'}${s.waitedBehindMs !== undefined ? `; waited ${ms(s.waitedBehindMs)} behind the long query` : ''}`,
  ];
  const l = lintCell(s, lint);
  if (l.length) lines.push(`- lint (squawk): ${l.join('; ')}`);
  if (s.executions)
    lines.push(`- run ${s.executions} times at ${shortRows(sizes.at(-1)!)} (a loop), rows ${sizes.map((n) => `${shortRows(n)}: ${(s.rowsBySize?.get(n) ?? 0).toLocaleString('en-US')}`).join(', ')}`);
  if (s.sql) lines.push('', '```sql', s.sql, '```');
  return [...lines, '', '</details>'];
}

/**
 * The report for a pull request comment or a job summary: the verdict first, one line per migration
 * file with its worst verdict, each statement folded under it, the sizes, target and settings said.
 */
export function tryMarkdown(o: TryOutcome): string {
  const v = o.verdicts;
  const files = [...new Set(v.statements.map((s) => fileOf(s.key)))];
  const out = [
    `### pgmb try: ${verdictLine(v)}`,
    '',
    `Target ${o.target.rows.toLocaleString('en-US')} rows (${o.target.from}); measured at ${o.sizes.map(shortRows).join(', ')} rows on PostgreSQL ${o.pgMajor}; --max-block ${ms(v.maxBlockMs)}` +
      (v.longQueryMs ? `; the largest size again behind a ${ms(v.longQueryMs)} query` : '') +
      (o.settings.session.length ? `; session settings ${o.settings.session.map(([n, x]) => `${n}=${x}`).join(', ')}` : ''),
    '',
    '| migration | verdict | statements |',
    '|---|---|---|',
    ...files.map((f) => {
      const ss = v.statements.filter((s) => fileOf(s.key) === f);
      return `| \`${cell(f)}\` | ${worst(ss) === 'ok' ? 'ok' : `**${worst(ss)}**`} | ${ss.length} |`;
    }),
    '',
  ];
  if (v.failed) out.push(`**${v.failed.verdict}** at ${shortRows(v.failed.rows)} rows: \`${v.failed.key}\`: ${cell(v.failed.error)}`, '');
  for (const s of v.statements) for (const line of [...statementDetails(s, o.sizes, v.target, o.lint), '']) out.push(line);
  for (const w of shownWords(v, o.lint)) out.push(`- **${w}**: ${(VERDICTS[w] as { todo: string }).todo}`);
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
