import type { WireStatement } from '../../db/wire-proxy.js';
import type { Node } from '../describe.js';
import { parseMigration } from '../parse.js';
import type { Migration, Statement } from '../types.js';
import { historyWrite, relationsIn } from './history-write.js';
import { collect, treeOf } from './parse-tree.js';
import type { CapturedMigration } from './split.js';
import type { CodeTool } from './tools/index.js';

const READS_NOTHING = /^\s*(SELECT|SET|SHOW|RESET|DISCARD|DEALLOCATE)\b/i;
const SETTINGS = /^\s*(SET|SHOW|RESET|DISCARD|DEALLOCATE)\b/i;
/** Functions a tool calls for itself: its run's advisory lock, the server's version, a setting. */
const TOOL_FUNCTIONS =
  /^(pg_(try_)?advisory_(xact_)?(un)?lock(_shared)?|pg_advisory_unlock_all|version|current_setting|set_config|current_schema|current_database|pg_is_in_recovery|txid_current|pg_backend_pid|now)$/;
const CATALOGS = new Set(['pg_catalog', 'information_schema']);

const VALUE = '?';

/** A parse tree with its values taken out: a constant or a parameter is one value, a list of them one value, positions dropped. */
function shapeOf(node: unknown): unknown {
  if (Array.isArray(node)) {
    const items = node.map(shapeOf);
    return items.filter((x, i) => !(x === VALUE && items[i - 1] === VALUE));
  }
  if (!node || typeof node !== 'object') return node;
  if ('A_Const' in node || 'ParamRef' in node) return VALUE;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'location' && k !== 'stmt_location' && k !== 'stmt_len')
      .map(([k, v]) => [k, shapeOf(v)]),
  );
}

/**
 * What makes two executions one statement: its parse tree without values, so a loop's batches are
 * one whether the tool binds them ($1 .. $1000, then $1 .. $7) or writes them into the text (psycopg2,
 * ActiveRecord: `IN (1, 2, 3)`); the text itself where the parser refuses it.
 */
export function sameStatement(sql: string, tree = treeOf(sql)): string {
  return tree ? JSON.stringify(shapeOf(tree)) : sql;
}

/** A transaction's BEGIN, COMMIT or savepoint alone (not `BEGIN; ...` sent as one): the tool's framing, not a migration's statement. */
function isControl(w: Pick<WireStatement, 'sql'>, tree = treeOf(w.sql)): boolean {
  const stmts: Node[] = tree?.stmts ?? [];
  return stmts.length === 1 && 'TransactionStmt' in stmts[0]!.stmt;
}

/** The functions a statement's tree calls, by name. */
const functionsIn = (tree: Node) => collect(tree, (n) => (n.FuncCall ? ((n.FuncCall.funcname as Node[]).at(-1)?.String?.sval ?? '') : undefined));

/**
 * The tool's own work rather than the migration's: its history and bookkeeping tables, the
 * catalogs, and reads or settings that name no table (a version check, an advisory lock, SET).
 */
export function isBookkeeping(w: Pick<WireStatement, 'sql'>, tools: readonly CodeTool[], tree = treeOf(w.sql)): boolean {
  const relations = relationsIn(tree);
  if (!tree || !relations) return false;
  // A SELECT of no table is the tool's when every function it calls is one a tool calls for itself (not `SELECT backfill()`).
  if (!relations.length) return SETTINGS.test(w.sql) || (READS_NOTHING.test(w.sql) && functionsIn(tree).every((f) => TOOL_FUNCTIONS.test(f)));
  const own = new Set(tools.flatMap((t) => [t.history, ...t.bookkeeping]));
  return relations.every((r) => own.has(r.name) || CATALOGS.has(r.schema ?? '') || r.name.startsWith('pg_'));
}

/**
 * One captured statement as a file's statement: parsed by PostgreSQL's parser for its kind and
 * targets (a read's tables are its targets: a loop that selects ids reads the rows it updates), at
 * `migration:ordinal`. Several statements sent as one query are one, timed together.
 */
async function statementOf(w: Pick<WireStatement, 'sql' | 'params'>, migration: string, ordinal: number): Promise<Statement> {
  const parsed = await parseMigration({ path: migration, format: 'command', name: migration, text: w.sql, noTransaction: false }).catch(() => undefined);
  const all = parsed?.statements ?? [];
  const first = all[0];
  const reads = READS_NOTHING.test(w.sql) ? (relationsIn(treeOf(w.sql)) ?? []).filter((r) => !CATALOGS.has(r.schema ?? '')) : [];
  const targets = all.flatMap((s) => s.targets);
  return {
    file: migration,
    line: ordinal,
    col: 1,
    endLine: ordinal,
    sql: w.sql.trim(),
    kind: first?.kind ?? w.sql.trim().split(/\s+/, 2).join(' ').toUpperCase(),
    targets: targets.length ? targets : reads,
    creates: first?.creates,
    needsNoTransaction: all.some((s) => s.needsNoTransaction),
    addsForeignKeys: all.flatMap((s) => s.addsForeignKeys ?? []),
    params: w.params.length ? w.params : undefined,
    captured: true,
  };
}

/** A captured migration as replayed to build the schema: every statement that took effect, with its parameters, control left out. */
export async function replayMigration(m: CapturedMigration): Promise<Migration> {
  const kept = m.statements.filter((w) => !isControl(w));
  const statements = await Promise.all(kept.map((w, i) => statementOf(w, m.name, i + 1)));
  return { path: m.name, format: 'command', name: m.name, noTransaction: true, statements };
}

/** Which statement a captured one is an execution of; undefined for the tool's own work and for what follows the newest migration. */
export type StatementOf = (w: Pick<WireStatement, 'sql' | 'params'>) => Promise<Statement> | undefined;

/**
 * The measured migration's statements: one per distinct statement in the order first run (a loop's
 * UPDATE run 100 times is one statement, `name:ordinal`), the tool's bookkeeping and framing left
 * out; the same numbering for the capture and for every size's run.
 */
export class MeasuredStatements {
  private readonly byShape = new Map<string, Promise<Statement>>();

  constructor(
    readonly migration: string,
    private readonly tools: readonly CodeTool[],
  ) {}

  /**
   * One run of the command: its statements up to the write that records the measured migration as
   * applied (what the tool does after it, such as dumping the schema, is not the migration's).
   */
  run(): StatementOf {
    let recorded = false;
    return (w) => {
      if (recorded) return undefined;
      if (historyWrite(w.sql, w.params, this.tools)?.name === this.migration) recorded = true;
      // One parse for what the statement is, on the way to the server: the tool waits for it.
      const tree = treeOf(w.sql);
      if (recorded || isControl(w, tree) || isBookkeeping(w, this.tools, tree)) return undefined;
      const shape = sameStatement(w.sql, tree);
      const known = this.byShape.get(shape);
      if (known) return known;
      const made = statementOf(w, this.migration, this.byShape.size + 1);
      this.byShape.set(shape, made);
      return made;
    };
  }

  async all(): Promise<Statement[]> {
    return Promise.all(this.byShape.values());
  }
}
