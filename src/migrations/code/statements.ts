import type { WireStatement } from '../../db/wire-proxy.js';
import { parseMigration } from '../parse.js';
import type { Migration, Statement } from '../types.js';
import { relationsIn } from './history-write.js';
import type { CapturedMigration } from './split.js';
import type { CodeTool } from './tools/index.js';

const CONTROL = /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b/i;
const READS_NOTHING = /^\s*(SELECT|SET|SHOW|RESET|DISCARD|DEALLOCATE)\b/i;
const CATALOGS = new Set(['pg_catalog', 'information_schema']);

/** A statement's text with each list of parameters as one ($1, $2, ... $1000 and $1, ... $7: a loop's full and last batch are one statement). */
export const sameStatement = (sql: string) => sql.replace(/\$\d+(\s*,\s*\$\d+)+/g, '$n');

/** A transaction's BEGIN, COMMIT or savepoint: the tool's framing, not a migration's statement. */
export const isControl = (w: Pick<WireStatement, 'sql'>) => CONTROL.test(w.sql);

/**
 * The tool's own work rather than the migration's: its history and bookkeeping tables, the
 * catalogs, and reads or settings that name no table (a version check, an advisory lock, SET).
 */
export function isBookkeeping(w: Pick<WireStatement, 'sql'>, tools: readonly CodeTool[]): boolean {
  const relations = relationsIn(w.sql);
  if (!relations) return true;
  if (!relations.length) return READS_NOTHING.test(w.sql);
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
  const reads = READS_NOTHING.test(w.sql) ? (relationsIn(w.sql) ?? []).filter((r) => !CATALOGS.has(r.schema ?? '')) : [];
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
  };
}

/** A captured migration as replayed to build the schema: every statement that took effect, with its parameters, control left out. */
export async function replayMigration(m: CapturedMigration): Promise<Migration> {
  const kept = m.statements.filter((w) => !isControl(w));
  const statements = await Promise.all(kept.map((w, i) => statementOf(w, m.name, i + 1)));
  return { path: m.name, format: 'command', name: m.name, noTransaction: true, statements };
}

/**
 * The migration's statements as measured: one per distinct text in the order first run (a loop's
 * UPDATE run 100 times is one statement, `name:ordinal`), the tool's bookkeeping and framing left out.
 */
export class MeasuredStatements {
  private readonly byText = new Map<string, Promise<Statement>>();

  constructor(
    readonly migration: string,
    private readonly tools: readonly CodeTool[],
  ) {}

  /** The statement a captured one is an execution of; undefined for the tool's own work. */
  of(w: Pick<WireStatement, 'sql' | 'params'>): Promise<Statement> | undefined {
    if (isControl(w) || isBookkeeping(w, this.tools)) return undefined;
    const text = sameStatement(w.sql);
    const known = this.byText.get(text);
    if (known) return known;
    const made = statementOf(w, this.migration, this.byText.size + 1);
    this.byText.set(text, made);
    return made;
  }

  async all(): Promise<Statement[]> {
    return Promise.all(this.byText.values());
  }
}
