/**
 * Flyway's rule for running a SQL migration outside a transaction on PostgreSQL, as its
 * PostgreSQLParser and ParserSqlScript have it (flyway-database-postgresql, flyway-core):
 *
 * - a statement cannot run in a transaction when its first keywords (at most 10, outside parentheses)
 *   are `CREATE|DROP DATABASE|TABLESPACE|SUBSCRIPTION`, `ALTER SYSTEM`, `CREATE|DROP [UNIQUE] INDEX
 *   CONCURRENTLY`, `REINDEX [VERBOSE] SCHEMA|DATABASE|SYSTEM`, `VACUUM` or `DISCARD ALL` (`ALTER TYPE
 *   ... ADD VALUE` only before PostgreSQL 12, older than any pgmb runs);
 * - a migration holding one runs outside a transaction, each statement autocommitted; one holding
 *   both kinds is refused unless `mixed` is true (then it all runs outside one);
 * - a script configuration `V9__x.sql.conf` with `executeInTransaction=true|false` decides instead,
 *   and then nothing is refused for mixing.
 *
 * Flyway splits statements with its own tokenizer; so does this file (comments, strings, quoted
 * names, dollar quotes, parentheses and BEGIN ATOMIC bodies), only to find each statement's first
 * words and line: PostgreSQL's parser splits them again for measuring.
 */
import { MigrationFileError } from '../errors.js';
import type { ToolFile } from './format.js';

/** One statement as Flyway's tokenizer sees it: its line and its words outside parentheses, upper-cased. */
export interface ScannedStatement {
  line: number;
  words: string[];
}

/** Offsets where each line starts, for line numbers by binary search. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Where a comment, string, quoted name or dollar-quoted body that starts at `i` ends; `i` itself when none starts there. */
function skipQuoted(text: string, i: number, escapes: boolean): number {
  const c = text[i];
  if (text.startsWith('--', i)) {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (text.startsWith('/*', i)) {
    // PostgreSQL's block comments nest.
    let depth = 0;
    for (let j = i; j < text.length - 1; j++) {
      const step = text.startsWith('/*', j) ? 1 : text.startsWith('*/', j) ? -1 : 0;
      if (!step) continue;
      depth += step;
      if (depth === 0) return j + 2;
      j++;
    }
    return text.length;
  }
  if (c === "'" || c === '"') {
    for (let j = i + 1; j < text.length; j++) {
      if (escapes && c === "'" && text[j] === '\\') j++;
      else if (text[j] === c && text[j + 1] === c) j++;
      else if (text[j] === c) return j + 1;
    }
    return text.length;
  }
  const dollar = c === '$' ? /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 80)) : null;
  if (dollar) {
    const close = text.indexOf(dollar[0], i + dollar[0].length);
    return close < 0 ? text.length : close + dollar[0].length;
  }
  return i;
}

const WORD = /[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/y;

/** BEGIN ATOMIC ... END bodies hold semicolons that do not end the statement (CASE ... END nests inside them). */
function blockDepth(depth: number, words: string[], word: string): number {
  if (word === 'ATOMIC' && words[words.length - 1] === 'BEGIN') return depth + 1;
  if (depth > 0 && word === 'CASE') return depth + 1;
  if (depth > 0 && word === 'END') return depth - 1;
  return depth;
}

/** The statements of a migration's text, split at semicolons outside parentheses, strings, comments and BEGIN ATOMIC bodies. */
export function scanStatements(text: string): ScannedStatement[] {
  const starts = lineStarts(text);
  const out: ScannedStatement[] = [];
  let current: ScannedStatement | undefined;
  let parens = 0;
  let block = 0;
  let lastWord = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (text.startsWith('--', i) || text.startsWith('/*', i)) {
      i = skipQuoted(text, i, false);
      continue;
    }
    if (c === ';' && parens === 0 && block === 0) {
      if (current) out.push(current);
      current = undefined;
      i++;
      continue;
    }
    current ??= { line: lineAt(starts, i), words: [] };
    // E'...' strings take backslash escapes: the E is the word just before the quote.
    const skipped = skipQuoted(text, i, lastWord === 'E' && /[eE]/.test(text[i - 1] ?? ''));
    lastWord = '';
    if (skipped > i) {
      i = skipped;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text)?.[0];
    if (word) {
      lastWord = word.toUpperCase();
      if (parens === 0) {
        block = blockDepth(block, current.words, lastWord);
        current.words.push(lastWord);
      }
      i += word.length;
      continue;
    }
    if (c === '(') parens++;
    if (c === ')') parens = Math.max(0, parens - 1);
    i++;
  }
  if (current) out.push(current);
  return out;
}

/** PostgreSQLParser.detectCanExecuteInTransaction's patterns, each matched against a whole run of first keywords. */
const FLYWAY_NO_TRANSACTION = [
  /^(CREATE|DROP) (DATABASE|TABLESPACE|SUBSCRIPTION)$/,
  /^ALTER SYSTEM$/,
  /^(CREATE|DROP)( UNIQUE)? INDEX CONCURRENTLY$/,
  /^REINDEX( VERBOSE)? (SCHEMA|DATABASE|SYSTEM)$/,
  /^VACUUM$/,
  /^DISCARD ALL$/,
];

/** Flyway's transactional detection cutoff: past 10 keywords a statement counts as transactional. */
const CUTOFF = 10;

/** Whether Flyway runs this statement outside a transaction. */
export function flywayNoTransaction(s: ScannedStatement): boolean {
  for (let n = 1; n <= Math.min(CUTOFF, s.words.length); n++) {
    const run = s.words.slice(0, n).join(' ');
    if (FLYWAY_NO_TRANSACTION.some((re) => re.test(run))) return true;
  }
  return false;
}

/** Statements PostgreSQL refuses inside a transaction block that Flyway's patterns do not know. */
function refusedUnknownToFlyway(s: ScannedStatement): boolean {
  const [first, second] = s.words;
  if (first === 'REINDEX') return s.words.includes('CONCURRENTLY');
  return first === 'ALTER' && second === 'TABLE' && s.words.includes('DETACH') && s.words[s.words.length - 1] === 'CONCURRENTLY';
}

/** What a statement is, for messages: the words Flyway's pattern matched, else its first two (`ALTER TABLE`). */
function kind(s: ScannedStatement): string {
  for (let n = 1; n <= Math.min(CUTOFF, s.words.length); n++) {
    const run = s.words.slice(0, n).join(' ');
    if (FLYWAY_NO_TRANSACTION.some((re) => re.test(run))) return run;
  }
  if (s.words[0] === 'REINDEX' && s.words.includes('CONCURRENTLY')) return s.words.slice(0, s.words.indexOf('CONCURRENTLY') + 1).join(' ');
  if (refusedUnknownToFlyway(s)) return 'ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY';
  return s.words.slice(0, 2).join(' ');
}

/** How the migration's transaction was decided, for the refusal's message. */
function decidedBy(script: boolean | undefined, file: ToolFile): string {
  return script === true
    ? `${file.path}.conf sets executeInTransaction=true, so Flyway runs this file in a transaction`
    : 'Flyway runs this file in a transaction (its PostgreSQL rule knows CREATE/DROP INDEX CONCURRENTLY, VACUUM, REINDEX SCHEMA and a few more, not this)';
}

/** The project's settings and the file's script configuration that bear on the rule. */
export interface TransactionSettings {
  mixed: boolean;
  executeInTransaction: boolean;
  /** `executeInTransaction` of `<file>.conf`, when it sets one. */
  script?: boolean;
}

/**
 * Whether Flyway runs this migration (its text, placeholders replaced) outside a transaction. A
 * migration Flyway refuses (mixed statements), or one it would run in a transaction around a
 * statement PostgreSQL refuses there, is a MigrationFileError at that statement's line.
 */
export function flywayTransaction(file: ToolFile, text: string, settings: TransactionSettings): boolean {
  const statements = scanStatements(text);
  const at = (s: ScannedStatement) => ({ file: file.path, line: s.line, col: 1 });
  for (const s of statements) {
    if (s.words[0] === 'COPY' && s.words.includes('STDIN')) {
      throw new MigrationFileError(
        at(s),
        'COPY ... FROM STDIN with its rows in the migration: Flyway streams them to the server, pgmb cannot yet; load them with INSERT, or give the schema with --schema',
      );
    }
  }
  let noTransaction: boolean;
  if (settings.script !== undefined) noTransaction = !settings.script;
  else {
    const firstOf = (outside: boolean) => statements.find((s) => flywayNoTransaction(s) === outside);
    const [outside, inside] = [firstOf(true), firstOf(false)];
    if (outside && inside && !settings.mixed) {
      const later = outside.line > inside.line ? outside : inside;
      throw new MigrationFileError(
        at(later),
        `Flyway refuses this migration: ${kind(outside)} (line ${outside.line}) runs outside a transaction and ${kind(inside)} (line ${inside.line}) inside one, and mixed is false. Split the file, or set flyway.mixed=true (all of it then runs outside a transaction)`,
      );
    }
    noTransaction = outside !== undefined || !settings.executeInTransaction;
  }
  const refused = noTransaction ? undefined : statements.find((s) => flywayNoTransaction(s) || refusedUnknownToFlyway(s));
  if (refused) {
    throw new MigrationFileError(
      at(refused),
      `${decidedBy(settings.script, file)}, and PostgreSQL refuses ${kind(refused)} inside a transaction block: ${settings.script === true ? 'set executeInTransaction=false in' : 'add'} ${file.path}.conf${settings.script === true ? '' : ' with executeInTransaction=false'}`,
    );
  }
  return noTransaction;
}
