import { migrate } from '../src/engine/index.js';
import { quoteIdent } from '../src/core/identifiers.js';
import { emailsFixture, partitioned } from '../src/fixtures/table-fixtures.js';
import type { CaseFigures } from '../src/results/row.js';
import { freshTable } from '../src/measure/case-table.js';
import { measureCase } from '../src/measure/measure-case.js';
import { fixtures, iterationsFor, wanted, type BenchSuite } from './types.js';

const CASES = ['create-index', 'create-index-concurrently', 'create-unique-index-concurrently'] as const;

/** The seed's TestBenchmarkIndexCreation: an index on email, plain against CONCURRENTLY. */
export const indexSuite: BenchSuite = {
  name: 'index',
  cases: () => CASES,
  plannedIterations: (o) => fixtures(o).reduce((n, [rows]) => n + CASES.filter((c) => wanted(o, c)).length * iterationsFor(o, rows), 0),
  async run(ctx) {
    const { client, options } = ctx;
    const rows: CaseFigures[] = [];
    for (const [size, leaves] of fixtures(options)) {
      for (const name of CASES.filter((c) => wanted(options, c))) {
        const plain = name === 'create-index';
        const unique = name.includes('unique');
        const fixture = leaves ? partitioned(emailsFixture, leaves) : emailsFixture;
        const { figures } = await measureCase(ctx, {
          label: `index ${name} ${size} rows${leaves ? `, ${leaves} partitions` : ''}`,
          table: freshTable(fixture),
          rows: size,
          iterations: iterationsFor(options, size),
          // A plain build runs in a transaction, so its locks are read exactly; CONCURRENTLY cannot.
          inTransaction: plain,
          run: async (table) => {
            if (plain) {
              await client.query(`CREATE INDEX ${quoteIdent(`${table.name}_email`)} ON ${quoteIdent(table.name)} (email)`);
              return;
            }
            // A unique index on a partitioned table must hold the partition key.
            const columns = unique && leaves ? ['email', 'created_at'] : ['email'];
            await migrate(client, [{ op: 'create-index', table: quoteIdent(table.name), columns, unique }]);
          },
        });
        rows.push({ suite: 'index', case: name, partitions: leaves || undefined, ...figures });
      }
    }
    return rows;
  },
};
