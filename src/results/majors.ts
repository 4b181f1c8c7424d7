import { num, type ReadRow } from './csv.js';
import type { ChartSpec } from './charts.js';
import { PALETTE } from './colours.js';

/** One DDL operation on one PostgreSQL major. */
export interface MajorCell {
  ms: number;
  lock: string;
  rewritten: boolean;
  /** Its lock or rewrite differs from the major before it that ran it, or it is new at this major. */
  changed: boolean;
}

export interface MajorsTable {
  majors: number[];
  cases: { name: string; cells: (MajorCell | undefined)[] }[];
}

const majorOf = (r: ReadRow) => Number.parseInt(r.pg_version ?? '', 10);

/**
 * The DDL suite across PostgreSQL majors, from rows of one or more runs (`bench --suite ddl --pg
 * 14,15,...`): per operation and major, its time, lock and rewrite, and where a major changed them.
 * Undefined unless the rows hold at least two majors.
 */
export function majorsTable(rows: ReadRow[]): MajorsTable | undefined {
  const ddl = rows.filter((r) => r.suite === 'ddl' && Number.isFinite(majorOf(r)));
  const majors = [...new Set(ddl.map(majorOf))].sort((a, b) => a - b);
  if (majors.length < 2) return undefined;
  const names = [...new Set(ddl.map((r) => r.case!))];
  const cases = names.map((name) => {
    let before: MajorCell | undefined;
    const cells = majors.map((major) => {
      const row = ddl.filter((r) => r.case === name && majorOf(r) === major).at(-1);
      if (!row) return undefined;
      const lock = row.lock_mode ?? '';
      const rewritten = row.table_rewritten === 'true';
      const cell = { ms: num(row, 'mean_ms') ?? NaN, lock, rewritten, changed: !before ? major !== majors[0] : before.lock !== lock || before.rewritten !== rewritten };
      before = cell;
      return cell;
    });
    return { name, cells };
  });
  return { majors, cases };
}

/** Time per operation, a bar per major: log scale, as a rewrite is orders of magnitude above a catalog change. */
export function majorsChart(t: MajorsTable): ChartSpec {
  return {
    id: 'ddl-majors',
    group: 'DDL operations across PostgreSQL majors: mean time',
    title: '',
    type: 'bar',
    xTitle: 'operation',
    yTitle: 'ms (log)',
    xScale: 'category',
    logScale: true,
    labels: t.cases.map((c) => c.name),
    datasets: t.majors.map((major, i) => ({ label: `PostgreSQL ${major}`, data: t.cases.map((c) => c.cells[i]?.ms ?? null), color: PALETTE[i % PALETTE.length]!, dash: [] })),
  };
}
