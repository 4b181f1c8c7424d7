import { maxOf } from '../core/numbers.js';

/**
 * The statement table of `pgmb try` for a terminal: a heading per migration file, then one line per
 * statement (verdict first, `:line kind`, lock, times, traffic held, lint as short codes), the reason
 * of a failing verdict on the lines under it. Columns are dropped, least useful first, until the
 * table fits the width; colour marks the verdicts only where asked.
 */
export interface TableColumn {
  head: string;
  /** Dropped before a column with a higher rank when the table is too wide; undefined: never. */
  dropRank?: number;
  /** Right-aligned (numbers). */
  right?: boolean;
}

export interface TableRow {
  /** The heading it goes under (its migration file). */
  group: string;
  cells: string[];
  /** Failing: its first cell is coloured red; otherwise green. */
  failing: boolean;
  /** Lines under the row (a failing verdict's reason), wrapped to the width. */
  notes: string[];
}

const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';
const GAP = 2;
/** The statement column is cut to this before any column is dropped, and to MIN_CUT at the least. */
const SOFT_CUT = 32;
const MIN_CUT = 12;

/** `text` cut to `width` with an ellipsis. */
const cut = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`);

/** Words of `text` on lines of at most `width`, each line led by `indent`. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/**
 * Which columns stay at `width`, and how wide: the statement column (index 1) is first cut to
 * SOFT_CUT, then columns are dropped by rank (a rank's all at once), then the statement column is cut down to MIN_CUT.
 */
function fitColumns(columns: TableColumn[], natural: number[], width: number): { keep: number[]; widths: number[] } {
  let keep = columns.map((_, i) => i);
  const ws = [...natural];
  const over = () => keep.reduce((n, i) => n + ws[i]! + GAP, 2) - width;
  if (over() > 0) ws[1] = Math.max(Math.min(ws[1]!, SOFT_CUT), ws[1]! - over());
  // Columns of one rank go together (every size, not the smaller ones alone).
  const ranks = [...new Set(columns.flatMap((c) => (c.dropRank === undefined ? [] : [c.dropRank])))].sort((a, b) => a - b);
  for (const rank of ranks) {
    if (over() <= 0) break;
    keep = keep.filter((k) => columns[k]!.dropRank !== rank);
  }
  if (over() > 0) ws[1] = Math.max(MIN_CUT, ws[1]! - over());
  return { keep, widths: ws };
}

/** The table as lines at most `width` wide (notes wrapped; a line of cells cut only if even that cannot fit). */
export function renderTable(columns: TableColumn[], rows: TableRow[], width: number, colour: boolean): string[] {
  const natural = columns.map((c, i) => maxOf([c.head.length, ...rows.map((r) => r.cells[i]!.length)])!);
  const { keep, widths } = fitColumns(columns, natural, width);
  const line = (cells: string[], paint?: string) =>
    `  ${keep
      .map((i, k) => {
        const text = cut(cells[i]!, widths[i]!);
        const padded = columns[i]!.right ? text.padStart(widths[i]!) : k === keep.length - 1 ? text : text.padEnd(widths[i]!);
        return paint && k === 0 ? `${paint}${padded}${RESET}` : padded;
      })
      .join(' '.repeat(GAP))}`.trimEnd();
  const out = [line(columns.map((c) => c.head))];
  let group: string | undefined;
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group;
      out.push(colour ? `${BOLD}${group}${RESET}` : group);
    }
    out.push(line(r.cells, colour ? (r.failing ? RED : GREEN) : undefined));
    for (const note of r.notes) for (const l of wrap(note, width, '      ')) out.push(l);
  }
  return out;
}
