import { copyRows, createTableSql, addPrimaryKeySql } from '../src/fixtures/copy-loader.js';
import { insertSelect, insertValues } from '../src/fixtures/insert-loader.js';
import { usersFixture } from '../src/fixtures/table-fixtures.js';
import type { CaseFigures } from '../src/results/row.js';
import { freshTable } from '../src/measure/case-table.js';
import { measureCase } from '../src/measure/measure-case.js';
import { iterationsFor, wanted, type BenchSuite } from './types.js';

const METHODS = ['copy', 'copy-index-after', 'insert-select', 'insert-values'] as const;

/** How fast the seed's 1M-row table can be built: COPY, COPY then the key, and the INSERT ways. */
export const setupSuite: BenchSuite = {
  name: 'setup',
  cases: () => METHODS,
  plannedIterations: (o) => o.sizes.reduce((n, rows) => n + METHODS.filter((m) => wanted(o, m)).length * iterationsFor(o, rows), 0),
  async run(ctx) {
    const { client, options } = ctx;
    const rows: CaseFigures[] = [];
    for (const size of options.sizes) {
      for (const method of METHODS.filter((m) => wanted(options, m))) {
        const keyAfter = method === 'copy-index-after';
        const { figures } = await measureCase(ctx, {
          label: `setup ${method} ${size} rows`,
          table: freshTable(usersFixture, async (c, table) => void (await c.query(createTableSql(table, usersFixture, !keyAfter)))),
          rows: size,
          iterations: iterationsFor(options, size),
          writers: false,
          run: async (table) => {
            if (method === 'insert-select') await insertSelect(client, table.name, usersFixture, size);
            else if (method === 'insert-values') await insertValues(client, table.name, usersFixture, size);
            else await copyRows(client, table.name, usersFixture, size);
            if (keyAfter) await client.query(addPrimaryKeySql(table.name, usersFixture));
          },
        });
        // The load is the operation here: its own setup is only CREATE TABLE.
        rows.push({ suite: 'setup', case: method, ...figures, setup_ms: undefined });
      }
    }
    return rows;
  },
};
