import type { MigrationFormat } from './formats/index.js';
import type { Location } from './location.js';

/** The migration tools whose files `pgmb try` reads, and their names: from the registry in formats/index.ts. */
export { MIGRATION_FORMATS, type MigrationFormat } from './formats/index.js';

/** How the team's tool groups statements into transactions. */
export const TRANSACTION_MODES = ['file', 'statement', 'none'] as const;
export type TransactionMode = (typeof TRANSACTION_MODES)[number];

/** Where a statement or a problem is (file, 1-based line and column): defined beside `where`. */
export type { Location };

/** A file tool's format, or `command`: statements captured from the team's own migrate command (try --command). */
export type HistoryFormat = MigrationFormat | 'command';

/** One migration file as its tool sees it: the up part only, the rest blanked so offsets stay. */
export interface SourceFile {
  path: string;
  format: HistoryFormat;
  /** The migration's name as its tool names it (Prisma: its folder; golang-migrate: `1_accounts`; plain: the file name). */
  name: string;
  /** The file's text with everything that is not "up" replaced by spaces (newlines kept). */
  text: string;
  /** The tool runs it outside a transaction (dbmate `transaction:false`, graphile `--! no-transaction`). */
  noTransaction: boolean;
}

/** A relation a statement reads or changes, as written (schema optional). */
export interface RelationName {
  schema?: string;
  name: string;
}

/** A foreign key a statement adds: the table and its columns, the referenced table and its columns (none: its primary key). */
export interface ForeignKeyAdded {
  table: RelationName;
  columns: string[];
  parent: RelationName;
  parentColumns: string[];
}

export interface Statement extends Location {
  /** The statement's text, from its first token to its end (no trailing semicolon). */
  sql: string;
  /** What it is, e.g. `CREATE INDEX CONCURRENTLY`, `ALTER TABLE ADD COLUMN`, `UPDATE`. */
  kind: string;
  /** Tables it locks or changes: these are the ones `try` fills. */
  targets: RelationName[];
  /** The table a CREATE TABLE makes (not filled: it starts empty). */
  creates?: RelationName;
  /** GRANT, REVOKE, OWNER TO, CREATE ROLE: about production's roles (the whole server's); not run when building a schema. */
  aboutRoles?: boolean;
  /** PostgreSQL refuses to run it inside a transaction block (CONCURRENTLY, VACUUM, ...). */
  needsNoTransaction: boolean;
  /** BEGIN / COMMIT written in the file: the file manages its own transactions. */
  control?: 'begin' | 'commit';
  /** Foreign keys it adds to an existing table: the synthetic rows must already meet them, as production's do. */
  addsForeignKeys?: ForeignKeyAdded[];
  /** Last line of the statement, for mapping lint findings. */
  endLine: number;
  /** Bound parameters ($1..), as a tool's command sent them (try --command); a file's statements have none. */
  params?: (string | null)[];
  /** Captured from a tool's command (try --command): no file holds it, its file:line is `migration:ordinal`. */
  captured?: boolean;
}

export interface Migration {
  path: string;
  format: HistoryFormat;
  /** The migration's name as its tool names it (see SourceFile). */
  name: string;
  noTransaction: boolean;
  statements: Statement[];
}

/** Statements run together: in one transaction, or one autocommitted statement. */
export interface TransactionGroup {
  statements: Statement[];
  inTransaction: boolean;
}
