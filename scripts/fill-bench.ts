/**
 * The fill of issue 24, measured: rows/s into a 20-column table with 5 secondary indexes and a row
 * trigger, as the fill ran before (indexes in place, the trigger firing for every row) and as it runs
 * now (fillTables: trigger off, indexes built after the rows), in one run on one server; then the end
 * to end time of `pgmb try` of a one-statement migration on that table at 1M rows.
 * Run it under the launcher (or with TEST_DATABASE_URL set):
 *   tsx src/cli/with-database.ts -- tsx scripts/fill-bench.ts --rows 1000000 --out results/fill-0.7.0/fill.csv
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '../src/db/connect.js';
import { insertSeries } from '../src/fixtures/insert-loader.js';
import { fillTables, FILL_CHUNK_ROWS } from '../src/fixtures/synthetic-fill.js';
import { syntheticTable } from '../src/fixtures/synthetic-table.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, out: { type: 'string', default: 'fill.csv' } } });
const rows = Number(values.rows);
const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url) throw new Error('run under tsx src/cli/with-database.ts, or set TEST_DATABASE_URL');

/** 20 columns, 5 secondary indexes, and a per-row AFTER INSERT trigger that counts rows per user. */
const SCHEMA = `
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL, account_id bigint NOT NULL, kind text NOT NULL, status varchar(20) NOT NULL,
  amount numeric(12,2), quantity int, ratio float8, active bool NOT NULL DEFAULT true,
  email text, name varchar(80), note text, payload jsonb, tags text[],
  created_at timestamptz NOT NULL, updated_at timestamptz, due date, ref uuid, ip inet, score int2
);
CREATE INDEX events_user ON events (user_id, created_at DESC);
CREATE INDEX events_account ON events (account_id);
CREATE INDEX events_email ON events (lower(email));
CREATE INDEX events_status ON events (status) WHERE status <> 'done';
CREATE INDEX events_payload ON events USING gin (payload);
CREATE TABLE event_counts (user_id bigint PRIMARY KEY, n bigint NOT NULL);
CREATE FUNCTION count_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  INSERT INTO event_counts VALUES (NEW.user_id % 1000, 1) ON CONFLICT (user_id) DO UPDATE SET n = event_counts.n + 1; RETURN NEW; END $$;
CREATE TRIGGER count_event AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION count_event();
`;

const c = await connect(url, 'pgmb-fill-bench');
const lines = ['method,rows,ms,rows_per_sec'];
const record = (method: string, ms: number) => {
  lines.push(`${method},${rows},${Math.round(ms)},${Math.round(rows / (ms / 1000))}`);
  process.stdout.write(`${method}: ${rows} rows in ${(ms / 1000).toFixed(1)} s, ${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s\n`);
};
const fresh = async () => {
  await c.query('DROP TABLE IF EXISTS events, event_counts; DROP FUNCTION IF EXISTS count_event()');
  await c.query(SCHEMA);
  return (await c.query<{ oid: number }>("SELECT 'events'::regclass::oid::int AS oid")).rows[0]!.oid;
};
try {
  // Before: the same rows, chunk by chunk, into the table as it is (indexes in place, trigger firing);
  // and again with the trigger off, to tell the indexes' share from the trigger's.
  let t0 = 0;
  for (const [method, trigger] of [
    ['indexes-and-trigger-in-place', true],
    ['indexes-in-place-trigger-off', false],
  ] as const) {
    const oid = await fresh();
    if (!trigger) await c.query('ALTER TABLE events DISABLE TRIGGER count_event');
    const table = await syntheticTable(c, oid, rows, new Map(), { overrides: new Map() });
    t0 = performance.now();
    for (let start = 1; start <= rows; start += FILL_CHUNK_ROWS) await insertSeries(c, table.sql, table.loaded, start, Math.min(rows, start + FILL_CHUNK_ROWS - 1));
    await c.query('VACUUM (ANALYZE) events');
    record(method, performance.now() - t0);
  }
  // Now: fillTables.
  const again = await fresh();
  t0 = performance.now();
  await fillTables(c, [again], rows, { overrides: new Map() });
  record('fill-tables', performance.now() - t0);
  // pgmb try end to end: its own embedded server or this URL, the schema, the fill, the migration.
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-fill-bench-'));
  writeFileSync(join(dir, '1_events.up.sql'), SCHEMA);
  writeFileSync(join(dir, '2_column.up.sql'), 'ALTER TABLE events ADD COLUMN archived_at timestamptz;\n');
  t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/pgmb.ts', 'try', dir, '--sizes', String(rows), '--lint', 'none'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pgmb try exited ${r.status}: ${r.stderr}`);
  lines.push(`try-end-to-end,${rows},${Math.round(performance.now() - t0)},`);
  process.stdout.write(`pgmb try, one statement, ${rows} rows: ${((performance.now() - t0) / 1000).toFixed(1)} s end to end\n`);
} finally {
  await c.query('DROP TABLE IF EXISTS events, event_counts; DROP FUNCTION IF EXISTS count_event()');
  await c.end();
}
writeFileSync(values.out!, `${lines.join('\n')}\n`);
