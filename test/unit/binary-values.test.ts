import test from 'ava';
import { binaryValue } from '../../src/db/binary-values.js';

const int = (bytes: number, v: number | bigint) => {
  const b = Buffer.alloc(bytes);
  if (bytes === 8) b.writeBigInt64BE(BigInt(v));
  else if (bytes === 4) b.writeInt32BE(Number(v));
  else b.writeInt16BE(Number(v));
  return b;
};

test('binary parameters as the text PostgreSQL reads back: integers, booleans, floats, text, bytea, uuid, dates and timestamps; an unknown type is null', (t) => {
  t.is(binaryValue(23, int(4, -42)), '-42');
  t.is(binaryValue(20, int(8, 9_007_199_254_740_993n)), '9007199254740993');
  t.is(binaryValue(21, int(2, 7)), '7');
  t.is(binaryValue(16, Buffer.from([1])), 't');
  const f = Buffer.alloc(8);
  f.writeDoubleBE(1.5);
  t.is(binaryValue(701, f), '1.5');
  t.is(binaryValue(25, Buffer.from('V2__add.sql')), 'V2__add.sql');
  t.is(binaryValue(17, Buffer.from([0xde, 0xad])), '\\xdead');
  t.is(binaryValue(0, Buffer.from([1, 2])), '\\x0102');
  t.is(binaryValue(2950, Buffer.from('0123456789abcdef0123456789abcdef', 'hex')), '01234567-89ab-cdef-0123-456789abcdef');
  t.is(binaryValue(1082, int(4, 1)), '2000-01-02');
  t.is(binaryValue(1184, int(8, 86_400_000_000n)), '2000-01-02T00:00:00.000Z');
  t.is(binaryValue(600, Buffer.alloc(16)), null);
});
