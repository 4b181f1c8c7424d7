/**
 * What one migration tool knows about itself. Each tool is one file in this folder exporting one
 * `MigrationTool`, and one line in the registry (./index.ts), whose order is detection precedence.
 * This file imports nothing (least of all ../types.ts, which takes MigrationFormat from the registry):
 * a tool file importing types.ts would close an import ring.
 */

/** What the command line tells every tool (Flyway's `--placeholder k=v`). */
export interface ReadOptions {
  /** `${name}` in a file is replaced by its value, where the tool substitutes placeholders. */
  placeholders: ReadonlyMap<string, string>;
}

/** One migration file handed to its tool. */
export interface ToolFile {
  /** Where it is on disk, as found: a tool may read files beside it (a config, a plan) from here. */
  file: string;
  /** How pgmb names it in output and errors (relative to the working directory). */
  path: string;
  /** Its whole text. */
  text: string;
  options: ReadOptions;
}

/** The part of a file its tool runs when migrating up. */
export interface UpPart {
  /** The file's text with every character outside the up part turned into a space (newlines kept), so offsets and lines stay the file's. */
  text: string;
  /** The tool runs it outside a transaction (dbmate `transaction:false`, graphile `--! no-transaction`). */
  noTransaction: boolean;
}

/** One migration as its tool runs it up: its name (as the tool names it, in its history table or status output) and its up part. */
export interface ToolMigration extends UpPart {
  name: string;
}

/**
 * How a file's content claims it for a tool. `marker`: a line only this tool writes. `hint`: a looser
 * sign, heeded only when no tool's marker claims the file.
 */
export type ContentClaim = 'marker' | 'hint';

/**
 * One migration tool. How pgmb picks a file's tool: the first tool (in registry order) whose
 * `folder` recognises the folder lists its files; if that tool's `layoutDecides`, it is every file's
 * tool. Otherwise each file goes to the first tool whose `claim` is a marker, else to the first whose
 * claim is a hint, else to the folder's tool, else to the first whose `ownsName`, else to plain SQL.
 */
export interface MigrationTool<Name extends string = string> {
  /** Its name: a `MigrationFormat`, what `SourceFile.format` and `Migration.format` hold. */
  readonly name: Name;
  /** How help text and the README name it. */
  readonly title: string;
  /**
   * The tool's migration files in `dir`, in the order the tool applies them, when the folder is laid
   * out its way (it may read its own plan or config file there); undefined when it is not. An empty
   * list means the tool's layout without migrations in it yet.
   */
  folder?(dir: string): string[] | undefined;
  /** Its layout alone says every file in the folder is its own: the files' content markers are not asked. */
  readonly layoutDecides: boolean;
  /** Whether one file's text says it is this tool's. */
  claim?(text: string): ContentClaim | undefined;
  /** Whether a file's name alone says it is this tool's (asked when no layout or content says). */
  ownsName?(file: string): boolean;
  /**
   * The migrations in one file, as the tool runs them up: most tools have one per file; a
   * Liquibase changelog has one per changeset. A malformed file throws MigrationFileError at its
   * file:line.
   */
  migrations(file: ToolFile): ToolMigration[];
  /**
   * The folders under a project root where the tool keeps its migrations, read from its own
   * configuration or conventions (`folder` then confirms each); none when it has no sign there.
   */
  locate?(root: string): string[];
  /** What a folder holds that is not read but should be said (Sqitch: dependencies on other projects' changes), a line each. */
  notes?(dir: string): string[];
  /**
   * For a tool whose one history spans several folders (Flyway's locations): the histories under a
   * project root, each the folders read together (used instead of `locate`, where each folder is a
   * history of its own), and how their files are ordered as one.
   */
  histories?(root: string): string[][];
  orderAcross?(files: string[]): string[];
}
