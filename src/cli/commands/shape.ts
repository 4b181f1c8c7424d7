import { Command } from 'commander';
import { withClient } from '../../db/connect.js';
import { resolveDatabaseUrl } from '../../db/url.js';
import { InvalidOptionError } from '../../core/errors.js';
import { captureShapes } from '../../fixtures/shape/capture.js';
import { shapeLabel } from '../../fixtures/shape/ddl.js';
import { writeShapeFile } from '../../fixtures/shape/file.js';

export function shapeCommand(): Command {
  return new Command('shape')
    .description("read production tables' definitions and statistics (no rows) into a shape file that pgmb fixture and pgmb try --shape rebuild look-alikes from")
    .option('--from <url>', 'the database to read, read-only (default: DATABASE_URL)')
    .requiredOption('--table <names>', 'tables, comma-separated, as in SQL: orders,users,app."Order"')
    .requiredOption('--out <file>', 'the shape file to write (JSON)')
    .option(
      '--keep-values',
      "keep the statistics' literal values (most common values, text histogram bounds); by default they are replaced by synthetic ones of the same length and order, so the file can be committed",
    )
    .addHelpText(
      'after',
      `
Reads the catalog and pg_stats in one read-only transaction with a 5 s statement timeout: columns,
types, defaults, keys, checks, indexes, reloptions, reltuples and sizes; null_frac, avg_width,
n_distinct, most common values and frequencies, histogram bounds and correlation per column. Where a
table has TOAST, the average stored size of its variable-width columns is sampled on the server
(TABLESAMPLE, sizes only). Run ANALYZE first if the tables never were.

Example:
  pgmb shape --from "$PROD_RO_URL" --table orders,users --out shapes.json
  pgmb fixture --shape shapes.json --table orders --rows 1m --as orders_copy`,
    )
    .action(async (o: { from?: string; table: string; out: string; keepValues?: boolean }) => {
      const url = o.from ?? resolveDatabaseUrl()?.url;
      if (!url) throw new InvalidOptionError('--from', 'give the URL of the database to read (or set DATABASE_URL)');
      const tables = o.table
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const shape = await withClient(url, (client) => captureShapes(client, tables, { keepValues: Boolean(o.keepValues) }), 'pgmb-shape');
      writeShapeFile(o.out, shape);
      for (const w of shape.warnings) process.stderr.write(`warning: ${w}\n`);
      for (const t of shape.tables) {
        process.stdout.write(
          `${shapeLabel(t)}: ${t.columns.length} columns, ${t.indexes.length + t.constraints.filter((c) => ['p', 'u', 'x'].includes(c.type)).length} indexes, ~${t.rows.toLocaleString('en-US')} rows${t.analyzed ? '' : ' (no statistics)'}\n`,
        );
      }
      process.stdout.write(`wrote ${o.out} (PostgreSQL ${shape.server.version}${shape.keep_values ? ', literal values kept' : ', literal values replaced'})\n`);
    });
}
