import type { Node } from '../describe.js';
import { collect, treeOf } from './parse-tree.js';
import type { CodeTool, HistoryRow } from './tools/index.js';

/** A literal or bound value as text: a string or number constant, $n from the parameters, through a cast. */
function writtenValue(node: Node | undefined, params: readonly (string | null)[]): string | null {
  if (!node) return null;
  if (node.TypeCast) return writtenValue(node.TypeCast.arg, params);
  if (node.ParamRef) return params[node.ParamRef.number - 1] ?? null;
  const c = node.A_Const;
  if (!c || c.isnull) return null;
  return String(c.sval?.sval ?? c.ival?.ival ?? c.fval?.fval ?? '');
}

/** The row an INSERT (its first VALUES row) or UPDATE writes, and the table, from PostgreSQL's parse tree. */
function writtenRow(stmt: Node, params: readonly (string | null)[]): { table: string; row: HistoryRow } | undefined {
  if (stmt.InsertStmt) {
    const s = stmt.InsertStmt;
    const values: Node[] = s.selectStmt?.SelectStmt?.valuesLists?.[0]?.List?.items ?? [];
    const cols: string[] = (s.cols ?? []).map((c: Node) => c.ResTarget.name);
    return { table: s.relation.relname, row: Object.fromEntries(cols.map((c, i) => [c, writtenValue(values[i], params)])) };
  }
  if (stmt.UpdateStmt) {
    const s = stmt.UpdateStmt;
    return { table: s.relation.relname, row: Object.fromEntries((s.targetList ?? []).map((t: Node) => [t.ResTarget.name, writtenValue(t.ResTarget.val, params)])) };
  }
  return undefined;
}

/** The tool and migration a statement records as applied, when it writes a row to a tool's history table. */
export function historyWrite(sql: string, params: readonly (string | null)[], tools: readonly CodeTool[]): { tool: CodeTool; name: string } | undefined {
  // Cheap before the parser: most statements name no history table at all.
  const named = tools.filter((t) => sql.includes(t.history));
  if (!named.length) return undefined;
  for (const { stmt } of treeOf(sql)?.stmts ?? []) {
    const written = writtenRow(stmt, params);
    const tool = written && named.find((t) => t.history === written.table);
    const name = tool?.nameOf(written!.row);
    if (tool && name) return { tool, name };
  }
  return undefined;
}

/** Every relation a statement's tree names, anywhere (reads too), as written; undefined for no tree. */
export function relationsIn(tree: Node | undefined): { schema?: string; name: string }[] | undefined {
  // A RangeVar's fields, reached whether the tree wraps it ({ RangeVar: ... } where any node may stand) or not (INSERT's relation).
  return tree && collect(tree, (n) => (typeof n.relname === 'string' ? { schema: n.schemaname as string | undefined, name: n.relname } : undefined));
}
