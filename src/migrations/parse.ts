import { loadModule, parseSync } from 'libpg-query';
import { describe } from './describe.js';
import { MigrationFileError } from './errors.js';
import type { Location, Migration, SourceFile, Statement } from './types.js';

let loaded: Promise<void> | undefined;
/** The parser is PostgreSQL's own, compiled to WASM: loaded once per process. */
export const loadParser = () => (loaded ??= loadModule());

/** 1-based line and column of a byte offset into the file. */
function locate(file: string, bytes: Buffer, offset: number): Location {
  const before = bytes.subarray(0, offset).toString('utf8');
  const lines = before.split('\n');
  return { file, line: lines.length, col: lines[lines.length - 1]!.length + 1 };
}

/** The offset of the first token at or after `from`: whitespace and comments skipped. */
function firstToken(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else return i;
  }
}

/** pg_dump's guard lines (15.14+, 17.6+): psql-only, they change nothing the server runs. */
const DUMP_GUARDS = new Set(['\\restrict', '\\unrestrict']);

/**
 * psql's backslash commands (`\i`, `\set`, `\connect`): psql runs them, the server cannot, so
 * they are refused; pg_dump's `\restrict` guard lines are blanked. Returns the text to parse.
 */
function withoutMetaCommands(file: SourceFile): string {
  const lines = file.text.split('\n');
  return lines
    .map((line, i) => {
      const m = /^(\s*)(\\[a-zA-Z!]+)/.exec(line);
      if (!m) return line;
      if (DUMP_GUARDS.has(m[2]!)) return ' '.repeat(line.length);
      throw new MigrationFileError(
        { file: file.path, line: i + 1, col: m[1]!.length + 1 },
        `psql meta-command ${m[2]} is not SQL: pgmb try reads what the server runs; inline what it includes or sets`,
      );
    })
    .join('\n');
}

/**
 * One file's statements, split by PostgreSQL's parser (never by semicolons: strings, dollar quotes
 * and comments are the parser's business), each with its file:line, kind, targets and whether it
 * can run in a transaction. A syntax error names file:line:col with the parser's message.
 */
export async function parseMigration(file: SourceFile): Promise<Migration> {
  await loadParser();
  const text = withoutMetaCommands(file);
  const bytes = Buffer.from(text, 'utf8');
  let tree: { stmts?: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = parseSync(text);
  } catch (err) {
    const e = err as Error & { sqlDetails?: { cursorPosition?: number } };
    const at = locate(file.path, bytes, e.sqlDetails?.cursorPosition ?? 0);
    throw new MigrationFileError(at, `syntax error: ${e.message}`);
  }
  const statements: Statement[] = [];
  for (const raw of tree.stmts ?? []) {
    const from = raw.stmt_location ?? 0;
    const to = raw.stmt_len ? from + raw.stmt_len : bytes.length;
    const chunk = bytes.subarray(from, to).toString('utf8');
    const start = firstToken(chunk, 0);
    const sql = chunk.slice(start).trimEnd();
    if (!sql) continue;
    const at = locate(file.path, bytes, from + Buffer.byteLength(chunk.slice(0, start)));
    const d = describe(raw.stmt);
    if (d.refused) throw new MigrationFileError(at, d.refused);
    if (d.control === 'rollback') throw new MigrationFileError(at, 'ROLLBACK in a migration: its statements would never apply');
    statements.push({
      ...at,
      sql,
      kind: d.kind,
      targets: d.targets,
      needsNoTransaction: d.needsNoTransaction,
      creates: d.creates,
      aboutRoles: d.aboutRoles,
      addsForeignKeys: d.addsForeignKeys,
      control: d.control,
      endLine: at.line + sql.split('\n').length - 1,
    });
  }
  checkControl(statements);
  const control = statements.find((s) => s.control);
  if (file.noTransaction && control) throw new MigrationFileError(control, `${control.kind} in a file marked to run outside a transaction`);
  return { path: file.path, format: file.format, name: file.name, noTransaction: file.noTransaction, statements };
}

/** BEGIN and COMMIT written in a file must pair up, and nothing that refuses a transaction may sit between them. */
function checkControl(statements: Statement[]): void {
  let open: Statement | undefined;
  for (const s of statements) {
    if (s.control === 'begin') {
      if (open) throw new MigrationFileError(s, `BEGIN inside the transaction begun at line ${open.line}`);
      open = s;
    } else if (s.control === 'commit') {
      if (!open) throw new MigrationFileError(s, 'COMMIT without a BEGIN');
      open = undefined;
    } else if (open && s.needsNoTransaction) {
      throw new MigrationFileError(s, `${s.kind} cannot run inside a transaction block, and the BEGIN at line ${open.line} opened one`);
    }
  }
  if (open) throw new MigrationFileError(open, 'BEGIN without a COMMIT: the migration would end with its transaction open');
}
