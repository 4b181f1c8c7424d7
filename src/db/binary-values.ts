/** PostgreSQL's epoch for binary timestamps and dates: 2000-01-01 UTC, in ms since 1970. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

const uuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** Text of a binary-format parameter, by the type oid its Parse gave (0: unspecified, which node-postgres sends for a Buffer: bytea). */
const DECODERS: Record<number, (b: Buffer) => string> = {
  0: (b) => `\\x${b.toString('hex')}`,
  16: (b) => (b[0] ? 't' : 'f'),
  17: (b) => `\\x${b.toString('hex')}`,
  19: (b) => b.toString('utf8'),
  20: (b) => b.readBigInt64BE().toString(),
  21: (b) => String(b.readInt16BE()),
  23: (b) => String(b.readInt32BE()),
  25: (b) => b.toString('utf8'),
  700: (b) => String(b.readFloatBE()),
  701: (b) => String(b.readDoubleBE()),
  1043: (b) => b.toString('utf8'),
  1082: (b) => new Date(PG_EPOCH_MS + b.readInt32BE() * 86_400_000).toISOString().slice(0, 10),
  1114: (b) => new Date(PG_EPOCH_MS + Number(b.readBigInt64BE() / 1000n)).toISOString().replace('Z', ''),
  1184: (b) => new Date(PG_EPOCH_MS + Number(b.readBigInt64BE() / 1000n)).toISOString(),
  2950: uuid,
};

/**
 * A parameter a client bound in binary (pgjdbc does for numbers, asyncpg for everything) as the text
 * PostgreSQL would read back: what the capture replays and reads history rows from. Null for a type
 * it does not know.
 */
export function binaryValue(typeOid: number, value: Buffer): string | null {
  const decode = DECODERS[typeOid];
  return decode ? decode(value) : null;
}
