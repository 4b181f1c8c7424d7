import { migrate } from '../src/engine/index.js';
import { quoteIdent } from '../src/engine/identifiers.js';
import { usersShape } from '../src/fixtures/shapes.js';
import type { CaseFigures } from '../src/results/row.js';
import { measureCase, type CaseTable } from './measure-case.js';
import { iterationsFor, wanted, type BenchSuite } from './types.js';

interface DdlCase {
  name: string;
  prepare?: string;
  /** Plain SQL, run in a transaction; or the engine's safe way. */
  sql?: string;
  engine?: boolean;
}

/** `%t` stands for the quoted table name. */
const CASES: DdlCase[] = [
  { name: 'add-column-nullable', sql: 'ALTER TABLE %t ADD COLUMN extra text' },
  { name: 'add-column-default', sql: "ALTER TABLE %t ADD COLUMN extra text DEFAULT 'x'" },
  { name: 'add-column-volatile-default', sql: 'ALTER TABLE %t ADD COLUMN extra timestamptz DEFAULT clock_timestamp()' },
  { name: 'drop-column', prepare: 'ALTER TABLE %t ADD COLUMN extra text', sql: 'ALTER TABLE %t DROP COLUMN extra' },
  { name: 'rename-column', sql: 'ALTER TABLE %t RENAME COLUMN created_at TO created_on' },
  { name: 'set-not-null', sql: 'ALTER TABLE %t ALTER COLUMN created_at SET NOT NULL' },
  { name: 'set-not-null-safe', engine: true },
  { name: 'alter-column-type', prepare: 'ALTER TABLE %t ADD COLUMN counter int DEFAULT 0', sql: 'ALTER TABLE %t ALTER COLUMN counter TYPE bigint' },
];

const fill = (sql: string, table: CaseTable) => sql.replaceAll('%t', quoteIdent(table.name));

/** The seed's TestBenchmarkDDLOperations and more: time, rewrite and the lock each one takes. */
export const ddlSuite: BenchSuite = {
  name: 'ddl',
  plannedIterations: (o) => CASES.filter((c) => wanted(o, c.name)).length * iterationsFor(o, o.ddlRows),
  async run(ctx) {
    const { client, options } = ctx;
    const rows: CaseFigures[] = [];
    for (const c of CASES.filter((c) => wanted(options, c.name))) {
      const figures = await measureCase(ctx, {
        label: `ddl ${c.name} ${options.ddlRows} rows`,
        shape: usersShape,
        rows: options.ddlRows,
        iterations: iterationsFor(options, options.ddlRows),
        inTransaction: !c.engine,
        prepare: c.prepare ? async (t) => void (await client.query(fill(c.prepare!, t))) : undefined,
        run: async (t) => {
          if (c.sql) await client.query(fill(c.sql, t));
          else await migrate(client, [{ op: 'set-not-null', table: quoteIdent(t.name), column: 'created_at' }]);
        },
      });
      // rows/s means nothing for a schema change.
      rows.push({ suite: 'ddl', case: c.name, ...figures, rows_per_sec: undefined });
    }
    return rows;
  },
};
