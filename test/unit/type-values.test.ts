/** A column's value as SQL over the row number g: composite types field by field, arrays of them, and no value where a field has none. */
import test from 'ava';
import { valueSql, type ColumnType } from '../../src/fixtures/type-values.js';

const text: ColumnType = { base: 'text', sql: 'text', typmod: -1, isEnum: false };
const int4: ColumnType = { base: 'int4', sql: 'integer', typmod: -1, isEnum: false };

test('a composite value is a ROW of its fields, cast to the type; an array of them holds one', (t) => {
  const pair: ColumnType = {
    base: 'money_pair',
    sql: 'money_pair',
    typmod: -1,
    isEnum: false,
    fields: [
      { name: 'amount', type: int4 },
      { name: 'currency', type: text },
    ],
  };
  t.is(valueSql('pair', pair, 'g'), "(ROW(((g) % 2147483647)::integer, ('currency_' || (g))::text))::money_pair");
  const pairs: ColumnType = { base: '_money_pair', sql: 'money_pair[]', typmod: -1, isEnum: false, element: pair };
  t.regex(valueSql('pairs', pairs, 'g')!, /^\(ARRAY\[\(ROW\(.*\)\)::money_pair\]\)::money_pair\[\]$/);
  const odd: ColumnType = { ...pair, fields: [{ name: 'path', type: { base: 'jsonpath', sql: 'jsonpath', typmod: -1, isEnum: false } }] };
  t.is(valueSql('odd', odd, 'g'), undefined, 'a field with no generator: no value for the whole');
});
