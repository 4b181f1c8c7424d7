import { Command } from 'commander';
import { withClient } from '../../db/connect.js';
import { describeUrl, resolveDatabaseUrl } from '../../db/url.js';
import { InvalidOptionError } from '../../core/errors.js';
import { parseColumnName } from '../../core/identifiers.js';
import { loadFixture } from '../../fixtures/shape/fixture.js';
import { rowBytes, type LikenessCheck, type RowBytes } from '../../fixtures/shape/likeness.js';
import { findTableShape, readShapeFile } from '../../fixtures/shape/file.js';
import { parseSize } from '../parse.js';
import { formatDuration } from '../../core/format.js';
import { fillProgress } from '../../measure/reporter.js';
import { createReporter } from '../progress-view.js';

/** The copy against production, a line per check; differences marked. */
function likenessTable(checks: LikenessCheck[]): string {
  const width = checks.reduce((w, c) => Math.max(w, c.what.length), 0);
  const lines = checks.map((c) => `  ${c.ok ? '  ' : '! '}${c.what.padEnd(width)}  ${c.original.padStart(10)}  ${c.copy.padStart(10)}`);
  const off = checks.filter((c) => !c.ok).length;
  return `  ${''.padEnd(width + 2)}  ${'production'.padStart(10)}  ${'copy'.padStart(10)}\n${lines.join('\n')}\n${off ? `${off} of ${checks.length} outside the tolerances (marked !)` : `all ${checks.length} within the tolerances`}\n`;
}

const bytes = (b: RowBytes) => `${Math.round(b.total).toLocaleString('en-US')} B/row (heap ${Math.round(b.heap)}, TOAST ${Math.round(b.toast)}, indexes ${Math.round(b.indexes)})`;

export function fixtureCommand(): Command {
  return new Command('fixture')
    .description('load a synthetic copy of a shaped table into the database at DATABASE_URL (a staging database, say): its definition, rows that follow its statistics')
    .requiredOption('--shape <file>', 'a shape file written by pgmb shape')
    .requiredOption('--table <name>', 'the table of the shape file to load')
    .requiredOption('--rows <n>', 'rows to make, e.g. 100k, 1m')
    .option('--as <name>', 'name of the new table (same schema); default: the original name')
    .addHelpText(
      'after',
      `
The table must not exist: pgmb fixture never replaces one. Its keys, checks and indexes are built
as the shape records them; foreign keys to tables not loaded are left out (and said so). After the
fill the table is VACUUM ANALYZEd, so its pg_stats can be compared with production's.

Example:
  DATABASE_URL=postgres://.../staging pgmb fixture --shape shapes.json --table orders --rows 1m --as orders_copy`,
    )
    .action(async (o: { shape: string; table: string; rows: string; as?: string }) => {
      const file = readShapeFile(o.shape);
      const shape = findTableShape(file, o.shape, o.table);
      const rows = parseSize(o.rows, '--rows');
      const as = o.as === undefined ? undefined : parseColumnName(o.as);
      const resolved = resolveDatabaseUrl();
      if (!resolved) throw new InvalidOptionError('database', 'set DATABASE_URL (or TEST_DATABASE_URL) to the database to load into: an embedded server would be gone when pgmb stops');
      const reporter = createReporter(1);
      const started = performance.now();
      const result = await withClient(resolved.url, (client) => loadFixture(client, file, shape, rows, as, fillProgress(reporter)), 'pgmb-fixture').finally(() => reporter.stop());
      for (const line of result.leftOut) process.stderr.write(`left out: ${line}\n`);
      process.stdout.write(
        `loaded ${result.table}: ${rows.toLocaleString('en-US')} rows in ${formatDuration((performance.now() - started) / 1000)} into ${describeUrl(resolved.url)}\n` +
          `  copy:       ${bytes(rowBytes(result.shape))}\n  production: ${bytes(rowBytes(shape))} (${shape.rows.toLocaleString('en-US')} rows)\n` +
          likenessTable(result.likeness),
      );
    });
}
