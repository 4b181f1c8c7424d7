/** Which migrations `pgmb try` measures: named as their tool names them, a glob, or a range; and key=value options. */
import test from 'ava';
import { parsePairs } from '../../src/cli/parse.js';
import type { Migration } from '../../src/migrations/index.js';
import { measuredRange, migrationMatcher } from '../../src/try/plan.js';

const prisma = ['20230518191501_init', '20240101000000_add_users', '20250625_08_add_columns', '20250701000000_index'].map(
  (name) => ({ name, path: `prisma/migrations/${name}/migration.sql` }) as Migration,
);

test("a migration is matched by its tool's name, a glob over names, or a glob over paths", (t) => {
  t.true(migrationMatcher('20240101000000_add_users')(prisma[1]!));
  t.true(migrationMatcher('*08_add_columns*')(prisma[2]!), 'a Prisma migration is its folder: * matches within the name');
  t.false(migrationMatcher('*08_add_columns*')(prisma[1]!));
  t.true(migrationMatcher('**/20250701000000_index/*')(prisma[3]!), 'a glob over the path still works');
  t.true(migrationMatcher('V74')({ name: 'V74', path: 'db/migration/V74__add_plan.sql' }));
});

test('--measure and --measure-from/--measure-to pick a slice; a name that matches nothing is bad input naming the history', (t) => {
  t.deepEqual(measuredRange(prisma, { measure: 'last' }), [3, 4]);
  t.deepEqual(measuredRange(prisma, { measure: 'all' }), [0, 4]);
  t.deepEqual(measuredRange(prisma, { measure: '*08_add_columns*' }), [2, 3]);
  t.deepEqual(measuredRange(prisma, { measure: 'last', measureFrom: '20240101000000_add_users' }), [1, 4]);
  t.deepEqual(measuredRange(prisma, { measure: 'last', measureFrom: '*add_users', measureTo: '*08_add_columns' }), [1, 3]);
  const none = t.throws(() => measuredRange(prisma, { measure: 'nope' }));
  t.regex(none!.message, /^--measure nope matches no migration's name or path \(4 migrations: 20230518191501_init, /);
  t.throws(() => measuredRange(prisma, { measure: 'last', measureFrom: '*index', measureTo: '*init' }), { message: /comes before/ });
});

test('key=value options: the key before the first =, the value may hold =; a pair without both halves is refused', (t) => {
  t.deepEqual(
    [...parsePairs('--placeholder', ['schema=public', 'expr=a=b'], 'name=value')],
    [
      ['schema', 'public'],
      ['expr', 'a=b'],
    ],
  );
  for (const bad of ['novalue', '=x', 'k=']) t.throws(() => parsePairs('--placeholder', [bad], 'name=value'), { message: /is not name=value/ });
  t.throws(() => parsePairs('--value', ['email=1'], 'table.column=SQL', /^[^=\s]+\.[^=\s]+$/), { message: /is not table.column=SQL/ });
});
