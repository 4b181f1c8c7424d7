import type { Migration, TransactionGroup, TransactionMode } from './types.js';

/**
 * How the team's tool would run these migrations. `file`: each file in one transaction (what most
 * tools do), unless it is marked no-transaction, manages BEGIN/COMMIT itself, or holds a statement
 * that cannot run in one: then statement by statement. `statement`: each statement in its own.
 * `none`: every statement autocommitted.
 */
export function transactionGroups(migrations: Migration[], mode: TransactionMode): TransactionGroup[] {
  const groups: TransactionGroup[] = [];
  for (const m of migrations) {
    const body = m.statements.filter((s) => !s.control);
    if (m.statements.some((s) => s.control)) {
      // Written BEGIN ... COMMIT: run as written; statements outside autocommit.
      let open: TransactionGroup | undefined;
      for (const s of m.statements) {
        if (s.control === 'begin') {
          open = { statements: [], inTransaction: true };
          groups.push(open);
        } else if (s.control === 'commit') open = undefined;
        else if (open) open.statements.push(s);
        else groups.push({ statements: [s], inTransaction: false });
      }
      continue;
    }
    const whole = mode === 'file' && !m.noTransaction && body.every((s) => !s.needsNoTransaction);
    if (whole && body.length) groups.push({ statements: body, inTransaction: true });
    else for (const s of body) groups.push({ statements: [s], inTransaction: mode !== 'none' && !m.noTransaction && !s.needsNoTransaction });
  }
  return groups.filter((g) => g.statements.length);
}
