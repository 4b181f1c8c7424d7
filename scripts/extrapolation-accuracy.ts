/**
 * Issue 28's evidence: how far `pgmb try`'s figures carried to a larger size miss what is measured
 * there. One `pgmb try` run measures every operation kind try and the DDL suite meet, statement by
 * statement, at each size (its own CSV, suite "try"); the table then predicts each size from the
 * smaller ones, with the model try used before (log-log slope) and the one it uses now, and reports
 * the error per operation and distance.
 * Measure (about 15 minutes on 2 cores), then evaluate (seconds, from the committed raw CSV):
 *   tsx src/cli/with-database.ts -- tsx scripts/extrapolation-accuracy.ts measure --out results/extrapolation-0.8.0/raw.csv
 *   tsx scripts/extrapolation-accuracy.ts evaluate --raw results/extrapolation-0.8.0/raw.csv --out results/extrapolation-0.8.0
 * and on a wider table (add --wide --sizes 100k,300k,1m,3m, write wide-raw.csv), and with a quarter of the sort memory
 * (--setting maintenance_work_mem=16MB --sizes 100k,300k,1m,3m, write small-sort-raw.csv; evaluate it with the same --setting), neither of which the model was fitted on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { ACCURACY_COLUMNS, accuracyRows, accuracyTable, growthModel, LOG_LOG, measuredSeries, memoryOf } from '../src/results/extrapolation-accuracy.js';
import { readCsv } from '../src/results/csv.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    raw: { type: 'string' },
    sizes: { type: 'string', default: '100k,300k,1m,3m,10m' },
    wide: { type: 'boolean', default: false },
    setting: { type: 'string', multiple: true, default: [] },
  },
});

/** The 6-column accounts table, a tags array for GIN, and a parent for the foreign key. */
const SCHEMA = `
CREATE TABLE orgs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id bigint NOT NULL,
  email text NOT NULL,
  name text,
  balance int NOT NULL,
  created_at timestamptz NOT NULL,
  tags text[]
);
`;

/**
 * The same columns and 14 more (about 3x the bytes per row), so the table leaves shared_buffers at
 * another row count: a check of the model on rows it was not calibrated on (--wide).
 */
const WIDE = SCHEMA.replace(
  '  tags text[]\n',
  `  tags text[],
  kind text, status varchar(20), amount numeric(12,2), quantity int, ratio float8, active bool,
  note text, payload jsonb, updated_at timestamptz, due date, ref uuid, ip inet, score int2, label varchar(80)
`,
);

/**
 * Each operation kind once, autocommitted, in an order where none changes what a later one measures
 * more than production would: indexes are dropped after their build, rewrites and the whole-table
 * UPDATE come last.
 */
const OPERATIONS = `
CREATE INDEX accounts_email ON accounts (email);
DROP INDEX accounts_email;
CREATE INDEX CONCURRENTLY accounts_name ON accounts (name);
DROP INDEX accounts_name;
CREATE UNIQUE INDEX accounts_email_unique ON accounts (email);
DROP INDEX accounts_email_unique;
CREATE INDEX accounts_tags ON accounts USING gin (tags);
DROP INDEX accounts_tags;
CREATE INDEX CONCURRENTLY accounts_tags_concurrently ON accounts USING gin (tags);
DROP INDEX accounts_tags_concurrently;
ALTER TABLE accounts ALTER COLUMN name SET NOT NULL;
ALTER TABLE accounts ADD CONSTRAINT accounts_org FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_org;
ALTER TABLE accounts ALTER COLUMN balance TYPE bigint;
ALTER TABLE accounts ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();
UPDATE accounts SET balance = balance + 1;
`;

if (positionals[0] === 'measure') {
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-extrapolation-'));
  writeFileSync(join(dir, '1_schema.up.sql'), values.wide ? WIDE : SCHEMA);
  writeFileSync(join(dir, '2_operations.up.sql'), OPERATIONS);
  const args = [
    'try',
    dir,
    '--sizes',
    values.sizes!,
    '--transaction',
    'none',
    '--long-query',
    '0',
    '--lint',
    'none',
    '--max-block',
    '60m',
    '--out',
    values.out!,
    ...values.setting!.flatMap((x) => ['--setting', x]),
  ];
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/pgmb.ts', ...args], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`pgmb try exited ${r.status}`);
} else if (positionals[0] === 'evaluate') {
  const raw = readCsv(values.raw!);
  // The model try used before, and the one it uses now.
  const rows = accuracyRows(measuredSeries(raw), [LOG_LOG, growthModel(memoryOf(raw, new Map(values.setting!.map((x) => x.split('=') as [string, string]))))]);
  // raw.csv -> accuracy.csv, wide-raw.csv -> wide-accuracy.csv.
  const stem = basename(values.raw!).replace(/raw\.csv$/, '');
  writeFileSync(join(values.out!, `${stem}accuracy.csv`), stringify(rows, { header: true, columns: ACCURACY_COLUMNS }));
  writeFileSync(join(values.out!, `${stem}accuracy.md`), accuracyTable(rows));
  process.stdout.write(accuracyTable(rows));
} else {
  throw new Error('usage: extrapolation-accuracy.ts measure --out RAW.csv | evaluate --raw RAW.csv --out DIR');
}
