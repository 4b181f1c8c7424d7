/** Where a statement or a problem is: 1-based line and column, as editors and CI annotations count. */
export interface Location {
  file: string;
  line: number;
  col: number;
}

/** `file:line:col`: where a problem is, as editors and compilers print it. */
export const where = (l: Location) => `${l.file}:${l.line}:${l.col}`;

/** `file:line`: a statement's name in verdicts, CSV cases, lint findings and annotations. */
export const statementKey = (l: Location) => `${l.file}:${l.line}`;

/** A statementKey read back: its file and line. */
export function keyLocation(key: string): { file: string; line: number } {
  const at = key.lastIndexOf(':');
  return { file: key.slice(0, at), line: Number(key.slice(at + 1)) };
}
