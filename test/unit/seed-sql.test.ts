import test from 'ava';
import { InputError } from '../../src/core/errors.js';
import { generateBatchedUpdate } from '../../src/engine/backfill/seed-sql.js';

test("the seed's defaults: LIMIT 5000, pg_sleep(1), COMMIT per batch, NOTICE progress", (t) => {
  const sql = generateBatchedUpdate('users', 'bio', 'hello', '');
  t.regex(sql, /^DO \$pgmb\$/);
  t.regex(sql, /LIMIT 5000\b/);
  t.regex(sql, /pg_sleep\(1\)/);
  t.regex(sql, /COMMIT;/);
  t.regex(sql, /RAISE NOTICE/);
  t.regex(sql, /SET "bio" = 'hello'/);
  t.regex(sql, /"bio" IS NULL/);
});

test('names are quoted, the value escaped, and a where only narrows the IS NULL guard', (t) => {
  const sql = generateBatchedUpdate('app."user data"', '"Bio"', "it's", 'created_at < now()', { batchSize: 100, sleepSeconds: 0 });
  t.regex(sql, /UPDATE "app"\."user data" SET "Bio" = 'it''s'/);
  t.regex(sql, /"Bio" IS NULL AND \(created_at < now\(\)\)/);
  t.regex(sql, /LIMIT 100\b/);
  t.regex(sql, /pg_sleep\(0\)/);
});

test('bad input is refused before any SQL exists', (t) => {
  t.throws(() => generateBatchedUpdate('x; DROP TABLE y', 'bio', 'v'), { instanceOf: InputError });
  t.throws(() => generateBatchedUpdate('t', 'bio', 'v', '', { batchSize: 0 }), { instanceOf: InputError });
  t.throws(() => generateBatchedUpdate('t', 'bio', 'a $pgmb$ b'), { instanceOf: InputError });
});
