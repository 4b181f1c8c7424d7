/** Loads N seed rows in a fresh process and prints its peak RSS in MB: the loader's own footprint. */
import { connect } from '../../src/db/connect.js';
import { dropTables } from '../../src/fixtures/cleanup.js';
import { loadTable } from '../../src/fixtures/copy-loader.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { uniqueTableName } from '../../src/fixtures/table-names.js';

const [url, rows] = process.argv.slice(2) as [string, string];
const client = await connect(url, 'pgmb-load-child');
const table = uniqueTableName('mem');
try {
  await loadTable(client, table, usersFixture, Number(rows), { primaryKey: 'after' });
} finally {
  await dropTables(client, [table]);
  await client.end();
}
// maxRSS is in kilobytes.
process.stdout.write(`${process.resourceUsage().maxRSS / 1024}\n`);
