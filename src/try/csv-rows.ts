import type { CaseFigures } from '../results/row.js';
import type { ScenarioResult, TryPlan } from './types.js';

/**
 * CSV rows of one size in one scenario: a row per statement, per multi-statement transaction, and the
 * whole migration; behind the long query, each case name ends with `behind`.
 */
export function tryRows(result: ScenarioResult, plan: TryPlan, behind = false): CaseFigures[] {
  const tail = behind ? ' behind' : '';
  const { run, figures } = result;
  const timing = (ms: number) => ({ iterations: 1, mean_ms: ms, p50_ms: ms, p99_ms: ms, min_ms: ms, max_ms: ms, rows: run.rows });
  const out: CaseFigures[] = run.statements.map((s) => ({
    suite: 'try',
    case: `${s.key} ${s.kind}${tail}`,
    ...timing(s.ms),
    lock_mode: s.lock,
    table_rewritten: s.rewritten,
    writer_max_ms: s.heldMs,
    reader_max_ms: s.readersHeldMs,
  }));
  for (const g of run.groups.filter((g) => g.inTransaction && g.statements.length > 1)) {
    out.push({ suite: 'try', case: `${g.key} transaction${tail}`, ...timing(g.ms), writer_max_ms: g.heldMs, reader_max_ms: g.readersHeldMs });
  }
  out.push({ ...figures, suite: 'try', case: `${plan.measured[0]!.path} migration${tail}` });
  return out;
}
