import test from 'ava';
import type { WireStatement } from '../../src/db/wire-proxy.js';
import { historyWrite, relationsIn } from '../../src/migrations/code/history-write.js';
import { treeOf } from '../../src/migrations/code/parse-tree.js';
import { committed, splitMigrations } from '../../src/migrations/code/split.js';
import { isBookkeeping, sameStatement } from '../../src/migrations/code/statements.js';
import { CODE_TOOLS, customTool } from '../../src/migrations/code/tools/index.js';
import { loadParser } from '../../src/migrations/parse.js';

await loadParser();

let clock = 0;
/** A statement as the proxy records it, one after another on connection 1. */
const run = (sql: string, params: (string | null)[] = [], status: [string, string] = ['I', 'I'], more: Partial<WireStatement> = {}): WireStatement =>
  ({ connection: 1, pid: 7, sql, params, statusBefore: status[0], statusAfter: status[1], startedAt: ++clock, endedAt: ++clock, tag: sql.split(' ')[0]!.toUpperCase(), ...more }) as WireStatement;

test("each tool's history write names its migration, from bound parameters or literals", (t) => {
  const named = (sql: string, params: (string | null)[] = []) => {
    const w = historyWrite(sql, params, CODE_TOOLS);
    return w && `${w.tool.name} ${w.name}`;
  };
  t.is(named('insert into "knex_migrations" ("batch", "migration_time", "name") values ($1, $2, $3)', ['1', 'x', '20240102_add.js']), 'knex 20240102_add.js');
  t.is(
    named(`INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ('accounts', '0002_index', '2026-01-01'::timestamptz) RETURNING "django_migrations"."id"`),
    'django accounts.0002_index',
  );
  t.is(named("UPDATE alembic_version SET version_num='0002_x' WHERE alembic_version.version_num = '0001_y'"), 'alembic 0002_x');
  t.is(named('INSERT INTO "schema_migrations" ("version") VALUES ($1) RETURNING "version"', ['20240102000000']), 'rails 20240102000000');
  t.is(named('INSERT INTO "SequelizeMeta" ("name") VALUES ($1) RETURNING "name";', ['20240102-x.js']), 'sequelize 20240102-x.js');
  // A read of the table, or a table of another name, is not a write to it.
  t.is(named('select "name" from "knex_migrations" order by "id" asc'), undefined);
  t.is(named('INSERT INTO knex_migrations_archive (name) VALUES ($1)', ['x']), undefined);
  const custom = historyWrite('INSERT INTO my_history (version, note) VALUES (42, $1)', ['n'], [customTool('my_history')]);
  t.is(custom?.name, '42');
});

test('relations are found wherever the tree names them, bare or wrapped', (t) => {
  t.deepEqual(relationsIn(treeOf('insert into "knex_migrations_lock" ("is_locked") values ($1)')), [{ schema: undefined, name: 'knex_migrations_lock' }]);
  t.deepEqual(
    relationsIn(treeOf('SELECT * FROM information_schema.tables t JOIN accounts a ON true'))?.map((r) => r.name),
    ['tables', 'accounts'],
  );
  t.is(relationsIn(treeOf('not sql at all')), undefined);
});

test("the tool's own work is bookkeeping; the migration's statements, reads of its tables included, are not", (t) => {
  const own = (sql: string) => isBookkeeping({ sql }, CODE_TOOLS);
  t.true(own('update "knex_migrations_lock" set "is_locked" = $1'));
  t.true(own('select * from information_schema.tables where table_name = $1'));
  t.true(own('SELECT pg_advisory_lock(123)'));
  t.true(own('SELECT version()'));
  t.true(own('SET search_path TO public'));
  // A function of the team's is the migration's work, not the tool's.
  t.false(own('SELECT backfill_accounts(1000)'));
  t.false(own('CREATE INDEX accounts_score_idx ON accounts (score)'));
  t.false(own('select "id" from "accounts" where "id" > $1 order by "id" asc limit $2'));
  t.false(own('CREATE EXTENSION IF NOT EXISTS pg_trgm'));
});

test("a loop's batches are one statement: its values bound or written in, lists of any length", (t) => {
  t.is(sameStatement('update a set s = s + 1 where id in ($1, $2, $3)'), sameStatement('update a set s = s + 1 where id in ($1,$2)'));
  // psycopg2 (Django, Alembic) and ActiveRecord write the values into the text.
  t.is(sameStatement('UPDATE "a" SET "s" = ("a"."s" + 1) WHERE "a"."id" IN (1, 2, 3)'), sameStatement('UPDATE "a" SET "s" = ("a"."s" + 1) WHERE "a"."id" IN (4001, 4002)'));
  t.not(sameStatement('update a set s = $1 where id = $2'), sameStatement('update a set t = $1 where id = $2'));
});

test('only what took effect is kept: a failed statement, what a ROLLBACK TO SAVEPOINT took back, and a rolled-back transaction are left out', (t) => {
  const kept = committed([
    run('BEGIN', [], ['I', 'T']),
    run('INSERT INTO a VALUES (0)', [], ['T', 'T']),
    run('SAVEPOINT s1', [], ['T', 'T']),
    run('INSERT INTO a VALUES (99)', [], ['T', 'T']),
    run('INSERT INTO a VALUES (98)', [], ['T', 'E'], { error: { message: 'dup', code: '23505' }, tag: undefined }),
    run('ROLLBACK TO SAVEPOINT s1', [], ['E', 'T']),
    run('COMMIT', [], ['T', 'I']),
    run('CREATE TABLE a (id int)'),
    run('SELECT * FROM missing', [], ['I', 'I'], { error: { message: 'no', code: '42P01' }, tag: undefined }),
    run('BEGIN', [], ['I', 'T']),
    run('INSERT INTO a VALUES (1)', [], ['T', 'T']),
    run('ROLLBACK', [], ['T', 'I']),
    run('BEGIN', [], ['I', 'T']),
    run('INSERT INTO a VALUES (2)', [], ['T', 'T']),
    run('COMMIT', [], ['T', 'I']),
  ]);
  t.deepEqual(
    kept.map((s) => s.sql),
    ['BEGIN', 'INSERT INTO a VALUES (0)', 'SAVEPOINT s1', 'COMMIT', 'CREATE TABLE a (id int)', 'BEGIN', 'INSERT INTO a VALUES (2)', 'COMMIT'],
  );
});

test('history writes split a run into migrations: each holds what ran since the previous write; the rest comes after', (t) => {
  const { migrations, after } = splitMigrations(
    [
      run('create table "knex_migrations" (id serial)'),
      run('create table accounts (id int)'),
      run('insert into "knex_migrations" ("name") values ($1)', ['1_accounts.js']),
      run('create index i on accounts (id)'),
      run('insert into "knex_migrations" ("name") values ($1)', ['2_index.js']),
      run('update "knex_migrations_lock" set "is_locked" = $1', ['0']),
    ],
    CODE_TOOLS,
  );
  t.deepEqual(
    migrations.map((m) => [m.name, m.statements.length]),
    [
      ['1_accounts.js', 3],
      ['2_index.js', 2],
    ],
  );
  t.deepEqual(
    after.map((s) => s.sql),
    ['update "knex_migrations_lock" set "is_locked" = $1'],
  );
});
