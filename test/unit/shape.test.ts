/** Shape files without a database: rebuilding SQL, reading a file, the likeness check, the key math. */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableDdl } from '../../src/fixtures/shape/ddl.js';
import { findTableShape, readShapeFile, writeShapeFile } from '../../src/fixtures/shape/file.js';
import { likeness } from '../../src/fixtures/shape/likeness.js';
import { SHAPE_FORMAT, type ShapeFile, type TableShape } from '../../src/fixtures/shape/types.js';
import { distinctValues, gridStep, keysFor, keysOnGrid } from '../../src/fixtures/stats-values.js';
import { tempDir } from '../helpers/temp-dir.js';

const orders = (): TableShape => ({
  schema: 'public',
  name: 'Orders',
  columns: [
    { name: 'id', type: 'integer', base: 'int4', typmod: -1, isEnum: false, notNull: true, serial: true, stats: { null_frac: 0, avg_width: 4, n_distinct: -1, correlation: 1 } },
    { name: 'user_id', type: 'bigint', base: 'int8', typmod: -1, isEnum: false, notNull: true },
    {
      name: 'note',
      type: 'text',
      base: 'text',
      typmod: -1,
      isEnum: false,
      notNull: false,
      storage: 'e',
      default: "'none'::text",
      stats: { null_frac: 0.2, avg_width: 30, n_distinct: 3, mcv: { freqs: [0.5, 0.2, 0.1], ranks: [2, 1, 3], lengths: [4, 5, 6] }, correlation: 0.3 },
    },
    { name: 'total', type: 'numeric(10,2)', base: 'numeric', typmod: 655366, isEnum: false, notNull: false, generated: '(id * 2)' },
  ],
  constraints: [
    { name: 'Orders_pkey', type: 'p', definition: 'PRIMARY KEY (id)' },
    { name: 'orders_user_fk', type: 'f', definition: 'FOREIGN KEY (user_id) REFERENCES public.users(id)', references: { schema: 'public', name: 'users' } },
    { name: 'orders_note_check', type: 'c', definition: 'CHECK ((length(note) < 100))' },
  ],
  indexes: [{ name: 'orders_note', unique: false, using: 'USING btree (note) WHERE (note IS NOT NULL)' }],
  options: ['fillfactor=70'],
  rows: 1000,
  bytes: { heap: 100_000, toast: 0, indexes: 50_000 },
  analyzed: true,
});

test('a shape rebuilds as quoted SQL: serial, storage, generated, reloptions, keys, partial index; foreign keys only to tables built alongside', (t) => {
  const alone = tableDdl(orders(), new Set(['public.Orders']));
  t.is(
    alone.statements[0],
    'CREATE TABLE "public"."Orders" ("id" serial NOT NULL, "user_id" bigint NOT NULL, "note" text DEFAULT \'none\'::text, "total" numeric(10,2) GENERATED ALWAYS AS ((id * 2)) STORED) WITH (fillfactor=70)',
  );
  t.true(alone.statements.includes('ALTER TABLE "public"."Orders" ALTER COLUMN "note" SET STORAGE EXTERNAL'));
  t.true(alone.statements.includes('ALTER TABLE "public"."Orders" ADD CONSTRAINT "Orders_pkey" PRIMARY KEY (id)'));
  t.true(alone.statements.includes('CREATE INDEX "orders_note" ON "public"."Orders" USING btree (note) WHERE (note IS NOT NULL)'));
  t.deepEqual(alone.foreignKeys, []);
  t.deepEqual(alone.leftOut, ['foreign key orders_user_fk: public.users is not built alongside']);
  t.is(tableDdl(orders(), new Set(['public.Orders', 'public.users'])).foreignKeys.length, 1);
});

test('a copy under another name lets the server name its keys and indexes, so nothing collides with the original', (t) => {
  const copy = tableDdl(orders(), new Set(['public.Orders', 'public.users']), 'orders_copy');
  t.true(copy.statements.includes('ALTER TABLE "public"."orders_copy" ADD PRIMARY KEY (id)'));
  t.true(copy.statements.includes('ALTER TABLE "public"."orders_copy" ADD CONSTRAINT "orders_note_check" CHECK ((length(note) < 100))'));
  t.true(copy.statements.includes('CREATE INDEX ON "public"."orders_copy" USING btree (note) WHERE (note IS NOT NULL)'));
});

test('a shape file is read back as written; a bad one is refused with its path and why', (t) => {
  const dir = tempDir(t, 'shape-unit');
  const good: ShapeFile = { format: SHAPE_FORMAT, captured_at: 'now', server: { version: '16.4', major: 16 }, keep_values: false, prerequisites: [], tables: [orders()], warnings: [] };
  const path = join(dir, 'shapes.json');
  writeShapeFile(path, good);
  t.deepEqual(readShapeFile(path), good);
  t.regex(readFileSync(path, 'utf8'), /"freqs": \[0\.5, 0\.2, 0\.1\]/, 'arrays of values on one line');
  t.is(findTableShape(good, path, '"Orders"').name, 'Orders');
  t.throws(() => findTableShape(good, path, 'orders'), { message: /has no table orders; it holds public.Orders/ });

  const bad = (text: string) => {
    const p = join(dir, `bad-${Math.random()}.json`);
    writeFileSync(p, text);
    return () => readShapeFile(p);
  };
  t.throws(bad('{'), { message: /not JSON/ });
  t.throws(bad('{"format": "other"}'), { message: /not a shape file of this pgmb/ });
  t.throws(bad(JSON.stringify({ ...good, tables: [] })), { message: /holds no table/ });
  t.throws(bad(JSON.stringify({ ...good, tables: [{ ...orders(), rows: -3 }] })), { message: /rows must be a count/ });
  t.throws(() => readShapeFile(join(dir, 'missing.json')), { message: /cannot read it \(ENOENT\)/ });
});

test('likeness marks what is outside the tolerances and passes what is inside', (t) => {
  const original = orders();
  const copy = orders();
  copy.columns[2]!.stats = { null_frac: 0.25, avg_width: 40, n_distinct: 3, mcv: { freqs: [0.45, 0.21, 0.1] }, correlation: -0.4 };
  copy.bytes = { heap: 100_000, toast: 0, indexes: 90_000 };
  const off = likeness(original, copy)
    .filter((c) => !c.ok)
    .map((c) => c.what);
  t.deepEqual(off, ['note: null_frac', 'note: MCV #1 frequency', 'note: avg_width', 'note: correlation', 'bytes per row (heap + TOAST + indexes)']);
  t.true(likeness(original, orders()).every((c) => c.ok));
});

test('histogram keys: enough drawn that the distinct values seen match what pg_stats says', (t) => {
  t.is(distinctValues(-0.5, 1000), 500);
  t.is(distinctValues(42, 1000), 42);
  for (const [wanted, rows, share] of [
    [1000, 100_000, 0.5],
    [40_000, 100_000, 0.8],
    [10, 100_000, 0.05],
  ] as const) {
    const keys = keysFor(wanted, rows, share);
    const seen = keys * (1 - (1 - share) ** (rows / keys));
    t.true(Math.abs(seen - wanted) / wanted < 0.01, `${wanted} wanted, ${seen.toFixed(0)} expected from ${keys} keys`);
  }
  t.is(keysFor(90_000, 100_000, 0.5), 100_000, 'more than the rows can show: every row its own key');
});

test("histogram keys on a column's grid: more keys where narrow buckets hold fewer cents or whole numbers than keys, so as many distinct values show", (t) => {
  const numeric = (p: number, s: number) => ({ base: 'numeric', sql: `numeric(${p},${s})`, typmod: ((p << 16) | s) + 4, isEnum: false });
  t.is(gridStep(numeric(12, 2)), 0.01);
  t.is(gridStep({ base: 'int4', sql: 'integer', typmod: -1, isEnum: false }), 1);
  t.is(gridStep({ base: 'float8', sql: 'double precision', typmod: -1, isEnum: false }), undefined);
  t.is(gridStep({ base: 'numeric', sql: 'numeric', typmod: -1, isEnum: false }), undefined);
  // Four buckets: two hold 11 cents each, two hold thousands. 1,000 keys spread evenly would show 11 + 11 + 250 + 250.
  const bounds = [1, 1.1, 1.2, 50, 100];
  const keys = keysOnGrid(bounds, 0.01, 1000, 100_000);
  const shown = (k: number) => [11, 11, 4881, 5001].reduce((sum, room) => sum + Math.min(k / 4, room), 0);
  t.true(keys > 1000);
  t.true(shown(keys) >= 1000 && shown(keys - 1) < 1000, `${keys} keys show ${shown(keys)}`);
  t.is(keysOnGrid(bounds, 1, 10_000, 20_000), 20_000, 'more than the grid can hold: one key per row');
  t.is(keysOnGrid([0, 1000], 1, 500, 10_000), 500, 'room enough: the keys asked for');
});
