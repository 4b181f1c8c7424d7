import test from 'ava';
import { InvalidIdentifierError } from '../../src/core/errors.js';
import { parseColumnName, parseTableName, quoteIdent, quoteLiteral, quoteTable } from '../../src/core/identifiers.js';

test('names parse as PostgreSQL reads them: unquoted fold to lower case, quoted are exact', (t) => {
  t.deepEqual(parseTableName('Users'), { name: 'users' });
  t.deepEqual(parseTableName('"Order"'), { name: 'Order' });
  t.deepEqual(parseTableName('app."user data"'), { schema: 'app', name: 'user data' });
  t.deepEqual(parseTableName('"we""ird"."x; DROP TABLE y; --"'), { schema: 'we"ird', name: 'x; DROP TABLE y; --' });
  t.is(parseColumnName('"Bio"'), 'Bio');
});

const refused: [string, RegExp][] = [
  ['x; DROP TABLE y; --', /not a plain identifier/],
  ['user data', /not a plain identifier/],
  ['', /empty/],
  ['""', /empty/],
  ['"open', /unterminated/],
  ['a.b.c', /expected \[schema\.\]table/],
  ['a.', /empty|not a plain/],
  ['x'.repeat(64), /longer than 63 bytes/],
  ['"a"b', /unexpected/],
];
for (const [input, why] of refused) {
  test(`refuses ${JSON.stringify(input).slice(0, 30)}`, (t) => {
    const err = t.throws(() => parseTableName(input), { instanceOf: InvalidIdentifierError });
    t.regex(err!.message, why);
  });
}

test('a column is one name, not a qualified one', (t) => {
  t.throws(() => parseColumnName('a.b'), { instanceOf: InvalidIdentifierError, message: /one name/ });
});

test('quoting doubles quotes and always quotes', (t) => {
  t.is(quoteIdent('a"b'), '"a""b"');
  t.is(quoteTable({ schema: 'public', name: 'user data' }), '"public"."user data"');
  t.is(quoteLiteral("it's"), "'it''s'");
  t.is(quoteLiteral('a\\b'), "E'a\\\\b'");
});
