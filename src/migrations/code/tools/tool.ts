/** A history table's row as the tool wrote it: column name to its text (a bound parameter or a literal), null where unknown. */
export type HistoryRow = Record<string, string | null>;

/**
 * A migration tool that runs code, known by the table it records applied migrations in: its writes
 * to that table delimit the migrations and name them (`pgmb try --command`).
 */
export interface CodeTool {
  name: string;
  title: string;
  /** The table the tool records applied migrations in, as the server names it (unquoted: lower case). */
  history: string;
  /** Its other bookkeeping tables (locks, metadata): statements that touch only these are the tool's, not a migration's. */
  bookkeeping: readonly string[];
  /** The migration's name from the row the tool wrote when it applied it. */
  nameOf(row: HistoryRow): string | undefined;
  /** A migration the framework ships (Django's contrib apps): applied with the team's, never the one measured by default. */
  shipped?(name: string): boolean;
}
