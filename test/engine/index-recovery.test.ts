/** The seed's TestPhaseFailureRecovery_IndexCreation, on real failures instead of a simulated DROP. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { DuplicateKeyError, migrate } from '../../src/engine/index.js';
import { emailsFixture } from '../../src/fixtures/table-fixtures.js';
import { client, fixture, q, scalar, testUrl } from '../helpers/db.js';

const validity = (c: Awaited<ReturnType<typeof client>>, index: string) =>
  scalar<boolean | undefined>(c, 'SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid WHERE x.relname = $1', [index]);

async function usesIndex(c: Awaited<ReturnType<typeof client>>, table: string, index: string): Promise<boolean> {
  await c.query('SET enable_seqscan = off');
  const plan = await c.query(`EXPLAIN SELECT * FROM ${q(table)} WHERE email = 'user42@example.com'`);
  await c.query('RESET enable_seqscan');
  return plan.rows.some((r) => String(r['QUERY PLAN']).includes(index));
}

test('a CONCURRENTLY build cancelled mid-way leaves an INVALID index; the engine drops and rebuilds it', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, emailsFixture, 500_000);
  const index = `${table}_email`;
  const builder = await connect(testUrl(), 'pgmb-test-builder');
  t.teardown(() => builder.end());
  const pid = await scalar<number>(builder, 'SELECT pg_backend_pid()');
  const build = builder.query(`CREATE INDEX CONCURRENTLY ${q(index)} ON ${q(table)} (email, name)`).then(
    () => 'finished',
    (e: Error) => e.message,
  );
  // Cancel once the build is under way (the index exists in the catalog while it builds).
  for (let i = 0; i < 500 && (await validity(c, index)) === undefined; i++) await new Promise((r) => setTimeout(r, 5));
  await c.query('SELECT pg_cancel_backend($1)', [pid]);
  t.regex(await build, /canceling statement/);
  t.is(await validity(c, index), false, 'the cancelled build left an INVALID index');

  const events: string[] = [];
  await migrate(c, [{ op: 'create-index', table: q(table), columns: ['email'], name: index }], {
    onEvent: (e) => e.type === 'index-invalid-dropped' && events.push(e.index),
  });
  t.deepEqual(events, [index]);
  t.is(await validity(c, index), true);
  t.true(await usesIndex(c, table, index), 'the planner uses the rebuilt index');
});

test('a unique build over duplicates names the key, leaves no invalid index, and succeeds once the data is fixed', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, emailsFixture, 20_000);
  const index = `${table}_email_key`;
  await c.query(`INSERT INTO ${q(table)} (email, name) VALUES ('user42@example.com', 'dup')`);
  // What PostgreSQL itself does: the failed build stays behind, INVALID.
  await t.throwsAsync(c.query(`CREATE UNIQUE INDEX CONCURRENTLY ${q(index)} ON ${q(table)} (email)`), { message: /could not create unique index/ });
  t.is(await validity(c, index), false);

  const err = await t.throwsAsync(migrate(c, [{ op: 'create-index', table: q(table), columns: ['email'], name: index, unique: true }]), {
    instanceOf: DuplicateKeyError,
  });
  t.regex(err!.message, new RegExp(`unique index ${index} cannot be built: Key \\(email\\)=\\(user42@example.com\\) is duplicated`));
  t.is(await validity(c, index), undefined, 'no invalid index left behind');

  await c.query(`DELETE FROM ${q(table)} WHERE name = 'dup'`);
  await migrate(c, [{ op: 'create-index', table: q(table), columns: ['email'], name: index, unique: true }]);
  t.is(await validity(c, index), true);
  t.true(await usesIndex(c, table, index));
});
