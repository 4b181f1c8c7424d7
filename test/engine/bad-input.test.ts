/** Bad input gets a typed, one-line error before anything changes, and the table is left as it was. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { DatabaseUnreachableError } from '../../src/db/errors.js';
import { InputError, migrate, type OperationSpec } from '../../src/engine/index.js';
import type { EngineOptionsInput } from '../../src/engine/options.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { client, fixture, q, scalar } from '../helpers/db.js';

type Case = [name: string, specs: (t: string) => OperationSpec[], options: EngineOptionsInput, code: string, message: RegExp];

const bf = (t: string, extra: Partial<Extract<OperationSpec, { op: 'backfill' }>> = {}): OperationSpec[] => [{ op: 'backfill', table: q(t), column: 'bio', value: 'x', ...extra }];

const CASES: Case[] = [
  ['unquoted injection as a table', () => [{ op: 'backfill', table: 'x; DROP TABLE y; --', column: 'bio', value: 'v' }], {}, 'INVALID_IDENTIFIER', /not a plain identifier/],
  ['quoted injection as a table (a real name, absent)', () => [{ op: 'backfill', table: '"x; DROP TABLE y; --"', column: 'bio', value: 'v' }], {}, 'UNKNOWN_TABLE', /does not exist/],
  ['missing table', () => [{ op: 'backfill', table: 'pgmb_no_such_table', column: 'bio', value: 'v' }], {}, 'UNKNOWN_TABLE', /pgmb_no_such_table/],
  ['missing schema', () => [{ op: 'backfill', table: 'nowhere.users', column: 'bio', value: 'v' }], {}, 'UNKNOWN_TABLE', /nowhere/],
  ['missing column', (t) => bf(t, { column: 'nope' }), {}, 'UNKNOWN_COLUMN', /column nope does not exist/],
  ['injection as a column', (t) => bf(t, { column: 'bio = 1; --' }), {}, 'INVALID_IDENTIFIER', /not a plain identifier/],
  ['wrong value type', (t) => [{ op: 'add-column', table: q(t), column: 'n', type: 'integer', backfill: 'twelve' }], {}, 'INVALID_VALUE', /not a valid integer/],
  ['out of range value', (t) => [{ op: 'add-column', table: q(t), column: 'n', type: 'smallint', default: '99999' }], {}, 'INVALID_VALUE', /out of range/],
  ['unknown type', (t) => [{ op: 'add-column', table: q(t), column: 'n', type: 'integr' }], {}, 'UNKNOWN_TYPE', /integr/],
  ['SQL as a type', (t) => [{ op: 'add-column', table: q(t), column: 'n', type: 'text; DROP TABLE x' }], {}, 'UNKNOWN_TYPE', /DROP/],
  ['existing column', (t) => [{ op: 'add-column', table: q(t), column: 'name', type: 'integer' }], {}, 'DUPLICATE_COLUMN', /already exists/],
  ['NOT NULL with nothing to fill', (t) => [{ op: 'add-column', table: q(t), column: 'n', type: 'text', notNull: true }], {}, 'INVALID_OPTION', /needs a default or a backfill/],
  ['batch size 0', (t) => bf(t), { backfill: { batchSize: 0 } }, 'INVALID_OPTION', /batchSize/],
  ['negative batch size', (t) => bf(t), { backfill: { batchSize: -5 } }, 'INVALID_OPTION', /batchSize/],
  ['fractional batch size', (t) => bf(t), { backfill: { batchSize: 2.5 } }, 'INVALID_OPTION', /batchSize/],
  ['negative delay', (t) => bf(t), { backfill: { delayMs: -1 } }, 'INVALID_OPTION', /delayMs/],
  ['unknown strategy', (t) => bf(t), { backfill: { strategy: 'fast' as never } }, 'INVALID_OPTION', /strategy/],
  ['where with a second statement', (t) => bf(t, { where: 'true; DROP TABLE x' }), {}, 'INVALID_WHERE', /semicolon/],
  ['where that breaks out of its parentheses', (t) => bf(t, { where: 'true) OR (true' }), {}, 'INVALID_WHERE', /unbalanced/],
  ['where naming a missing column', (t) => bf(t, { where: 'nope > 1' }), {}, 'INVALID_WHERE', /nope/],
  ['keyset on a table without a primary key', (t) => bf(`${t}_nopk`), { backfill: { strategy: 'keyset' } }, 'NO_PRIMARY_KEY', /no primary key/],
  ['rename onto an existing column', (t) => [{ op: 'rename-column', table: q(t), column: 'name', to: 'created_at' }], {}, 'DUPLICATE_COLUMN', /created_at/],
  ['index on a missing column', (t) => [{ op: 'create-index', table: q(t), columns: ['nope'] }], {}, 'UNKNOWN_COLUMN', /nope/],
  ['unknown operation', () => [{ op: 'truncate' } as never], {}, 'UNKNOWN_OPERATION', /truncate/],
  [
    'a good operation followed by a bad one changes nothing',
    (t) => [
      { op: 'add-column', table: q(t), column: 'ok', type: 'text' },
      { op: 'drop-column', table: q(t), column: 'nope' },
    ],
    {},
    'UNKNOWN_COLUMN',
    /nope/,
  ],
];

test('at least 20 hostile or wrong inputs, each refused clearly before any change', async (t) => {
  t.true(CASES.length >= 20);
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 1000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  await c.query(`CREATE TABLE ${q(`${table}_nopk`)} (bio text)`);
  t.teardown(() => c.query(`DROP TABLE IF EXISTS ${q(`${table}_nopk`)}`));
  const fingerprint = () =>
    scalar<string>(
      c,
      `SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) || (SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped)
         FROM ${q(table)} x`,
      [q(table)],
    );
  const before = await fingerprint();
  for (const [name, specs, options, code, message] of CASES) {
    const err = await t.throwsAsync(migrate(c, specs(table), { ...options, backfill: { stateTable: `${table}_state`, ...options.backfill } }), undefined, name);
    t.true(err instanceof InputError, `${name}: ${err?.constructor.name} is an InputError`);
    t.is((err as InputError).code, code, name);
    t.regex(err!.message, message, name);
    t.false(err!.message.includes('\n'), `${name}: one line`);
  }
  t.is(await fingerprint(), before, 'the table is unchanged');
  t.is(await scalar(c, 'SELECT count(*) FROM pg_class WHERE relname = $1', [`${table}_state`]), 0, 'no state table was created');
});

test('an unreachable URL gets one clear line naming host:port', async (t) => {
  const err = await t.throwsAsync(connect('postgres://u:secret@127.0.0.1:1/db'), { instanceOf: DatabaseUnreachableError });
  t.regex(err!.message, /^cannot connect to PostgreSQL at 127\.0\.0\.1:1 \(.*ECONNREFUSED.*\)\. Check that the server is running/);
  t.false(err!.message.includes('secret'));
});
