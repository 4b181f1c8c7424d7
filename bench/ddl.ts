import { serverVersion } from '../src/db/connect.js';
import { migrate, type EngineEvent } from '../src/engine/index.js';
import { quoteIdent } from '../src/core/identifiers.js';
import { usersFixture } from '../src/fixtures/table-fixtures.js';
import type { CaseFigures } from '../src/results/row.js';
import { freshTable, type CaseTable } from '../src/measure/case-table.js';
import { measureCase } from '../src/measure/measure-case.js';
import { iterationsFor, wanted, type BenchSuite } from './types.js';

interface DdlCase {
  name: string;
  prepare?: string;
  /** Plain SQL, run in a transaction; or the engine's safe way. */
  sql?: string;
  engine?: boolean;
  /** The first PostgreSQL major that has the syntax; older ones skip the case. */
  since?: number;
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
  { name: 'add-check-not-null-not-valid', sql: 'ALTER TABLE %t ADD CONSTRAINT created_nn CHECK (created_at IS NOT NULL) NOT VALID' },
  // PostgreSQL 18: NOT NULL as a constraint that can skip the scan, and generated columns computed on read.
  { name: 'add-not-null-not-valid', since: 18, sql: 'ALTER TABLE %t ADD CONSTRAINT created_nn NOT NULL created_at NOT VALID' },
  { name: 'add-column-generated-stored', sql: 'ALTER TABLE %t ADD COLUMN name_length int GENERATED ALWAYS AS (length(name)) STORED' },
  { name: 'add-column-generated-virtual', since: 18, sql: 'ALTER TABLE %t ADD COLUMN name_length int GENERATED ALWAYS AS (length(name)) VIRTUAL' },
];

const runsOn = (c: DdlCase, major: number) => !c.since || major >= c.since;

/** The DDL cases a server of this major can run. */
export const ddlCasesOn = (major: number) => CASES.filter((c) => runsOn(c, major)).map((c) => c.name);

const fill = (sql: string, table: CaseTable) => sql.replaceAll('%t', quoteIdent(table.name));

/** The seed's TestBenchmarkDDLOperations and more: time, rewrite and the lock each one takes. */
export const ddlSuite: BenchSuite = {
  name: 'ddl',
  cases: ddlCasesOn,
  plannedIterations: (o) => CASES.filter((c) => wanted(o, c.name)).length * iterationsFor(o, o.ddlRows),
  async run(ctx) {
    const { client, options } = ctx;
    const { major } = await serverVersion(client);
    const rows: CaseFigures[] = [];
    for (const c of CASES.filter((c) => wanted(options, c.name))) {
      if (!runsOn(c, major)) {
        ctx.reporter.log(`ddl ${c.name}: skipped, PostgreSQL ${major} has no such syntax (since ${c.since})`);
        for (let i = 0; i < iterationsFor(options, options.ddlRows); i++) ctx.reporter.caseDone();
        continue;
      }
      const { figures } = await measureCase(ctx, {
        label: `ddl ${c.name} ${options.ddlRows} rows`,
        table: freshTable(usersFixture),
        rows: options.ddlRows,
        iterations: iterationsFor(options, options.ddlRows),
        inTransaction: !c.engine,
        // The engine's transactions last a millisecond: it reports their locks itself.
        runReportsLocks: c.engine,
        prepare: c.prepare ? async (t) => void (await client.query(fill(c.prepare!, t))) : undefined,
        run: async (t) => {
          if (c.sql) return void (await client.query(fill(c.sql, t)));
          const locks: string[] = [];
          const onEvent = (e: EngineEvent) => {
            if (e.type === 'ddl-locks') for (const m of e.modes) locks.push(m);
          };
          await migrate(client, [{ op: 'set-not-null', table: quoteIdent(t.name), column: 'created_at' }], { reportLocks: true, onEvent });
          return { locks };
        },
      });
      // rows/s means nothing for a schema change.
      rows.push({ suite: 'ddl', case: c.name, ...figures, rows_per_sec: undefined });
    }
    return rows;
  },
};
