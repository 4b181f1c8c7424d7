import test from 'ava';
import { parseChoices, parseDuration, parsePositiveInt, parseSize } from '../../src/cli/parse.js';
import { InvalidOptionError } from '../../src/core/errors.js';
import { shapeProblem } from '../../src/engine/operations/backfill.js';
import { resolveDatabaseUrl, describeUrl } from '../../src/db/url.js';

test('sizes and durations', (t) => {
  t.deepEqual(
    ['10k', '50k', '1m', '2500'].map((s) => parseSize(s)),
    [10_000, 50_000, 1_000_000, 2500],
  );
  t.is(parseDuration('--delay', '1s'), 1000);
  t.is(parseDuration('--delay', '0ms'), 0);
  t.is(parseDuration('--delay', '250'), 250);
  for (const bad of ['ten', '-1k', '0', '1.5']) t.throws(() => parseSize(bad), { instanceOf: InvalidOptionError });
  t.throws(() => parseDuration('--delay', '-1s'), { instanceOf: InvalidOptionError });
  t.throws(() => parsePositiveInt('--batch-size', '0'), { instanceOf: InvalidOptionError });
  t.throws(() => parseChoices('--suite', 'setup,bogus', ['setup', 'ddl']), { instanceOf: InvalidOptionError, message: /bogus/ });
});

test('TEST_DATABASE_URL wins over DATABASE_URL (the seed README order)', (t) => {
  t.deepEqual(resolveDatabaseUrl({ TEST_DATABASE_URL: 'postgres://a/x', DATABASE_URL: 'postgres://b/y' }), {
    url: 'postgres://a/x',
    source: 'TEST_DATABASE_URL',
  });
  t.is(resolveDatabaseUrl({ DATABASE_URL: 'postgres://b/y' })?.source, 'DATABASE_URL');
  t.is(resolveDatabaseUrl({ TEST_DATABASE_URL: '  ', DATABASE_URL: '' }), undefined);
});

test('a printed URL never shows the password', (t) => {
  t.is(describeUrl('postgres://u:secret@db.example:6543/app'), 'db.example:6543/app');
});

test('a --where must be one balanced expression', (t) => {
  t.is(shapeProblem("name <> 'a;b' AND (id IS NOT NULL)"), undefined);
  t.regex(shapeProblem('true; DROP TABLE t')!, /semicolon/);
  t.regex(shapeProblem('true -- x')!, /comment/);
  t.regex(shapeProblem('true) OR (true')!, /unbalanced/);
});
