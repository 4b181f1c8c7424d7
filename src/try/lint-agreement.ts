import { agreement, HARM_RULES, QUEUE_RULES, type Harm, type LintResult } from '../lint/squawk.js';
import { blocksWriters, FAILING, type StatementVerdict } from './verdict.js';

/** Writers held less than this while a statement ran: it did them no harm worth a name. */
export const HARMLESS_MS = 50;

/**
 * A statement's harm, as measured: `harm` when it holds writers past --max-block at the target or
 * rewrote the table under a lock writers wait for; `none` when writers were held under HARMLESS_MS
 * and nothing was rewritten; `some` in between (held, but under --max-block).
 */
export function measuredHarm(s: StatementVerdict): Harm {
  if (s.verdict === 'blocks writers' || s.verdict === 'blocks readers and writers' || (s.rewritten && blocksWriters(s.lock))) return 'harm';
  return Math.max(s.heldMs ?? 0, s.readersHeldMs ?? 0) < HARMLESS_MS && !s.rewritten ? 'none' : 'some';
}

/** Its harm behind the long query: traffic queued behind its lock wait. Undefined where that run did not reach it. */
export function queueHarm(s: StatementVerdict): Harm | undefined {
  if (s.waitedBehindMs === undefined) return undefined;
  if (s.waitedBehindMs > 0 && FAILING.includes(s.verdict)) return 'harm';
  return s.waitedBehindMs >= HARMLESS_MS ? 'some' : 'none';
}

/** Each lint finding of a statement with what the measurement says of it, and harm no rule named. */
export function lintCell(s: StatementVerdict, lint: LintResult | undefined): string[] {
  if (!lint || 'unavailable' in lint) return [];
  const mine = lint.findings.filter((f) => f.statement === s.key);
  const harm = measuredHarm(s);
  const queue = queueHarm(s);
  const measurable = (rule: string) => HARM_RULES.has(rule) || (QUEUE_RULES.has(rule) && queue !== undefined);
  const cells = mine.filter((f) => measurable(f.rule)).map((f) => `${f.rule}: ${agreement(f.rule, harm, queue)}`);
  if (harm === 'harm' && !mine.some((f) => measurable(f.rule))) cells.push('missed by lint');
  const other = mine.filter((f) => !measurable(f.rule)).length;
  if (other) cells.push(`+${other} style`);
  return cells;
}
