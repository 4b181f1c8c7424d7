import pg from 'pg';
import { InvalidIdentifierError, InvalidValueError } from './errors.js';

/** A table name resolved to its exact parts (as stored in the catalog). */
export interface TableName {
  schema?: string;
  name: string;
}

/** PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated by the server, so we refuse them. */
const MAX_IDENTIFIER_BYTES = 63;
const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;

function checkLength(input: string, part: string): void {
  if (part.length === 0) throw new InvalidIdentifierError(input, 'empty name');
  if (part.includes('\0')) throw new InvalidIdentifierError(input, 'contains a NUL byte');
  if (Buffer.byteLength(part, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new InvalidIdentifierError(input, `longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  }
}

/**
 * Parse a name written as in SQL: `users`, `"Order"`, `public."user data"`. Unquoted parts must be
 * plain identifiers and fold to lower case, as PostgreSQL does; quoted parts are taken exactly.
 * Anything else (spaces, semicolons, comments outside quotes) is refused.
 */
export function parseQualifiedName(input: string, maxParts = 2): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = input.trim();
  if (s.length === 0) throw new InvalidIdentifierError(input, 'empty name');
  while (i <= s.length) {
    let part: string;
    if (s[i] === '"') {
      let j = i + 1;
      part = '';
      for (;;) {
        if (j >= s.length) throw new InvalidIdentifierError(input, 'unterminated quoted identifier');
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            part += '"';
            j += 2;
            continue;
          }
          break;
        }
        part += s[j];
        j += 1;
      }
      i = j + 1;
    } else {
      const end = s.indexOf('.', i);
      const raw = s.slice(i, end === -1 ? s.length : end);
      if (!UNQUOTED.test(raw)) {
        throw new InvalidIdentifierError(input, raw.includes('"') ? 'misplaced quote' : `not a plain identifier; write it in double quotes if that is its real name`);
      }
      part = raw.toLowerCase();
      i += raw.length;
    }
    checkLength(input, part);
    parts.push(part);
    if (i === s.length) break;
    if (s[i] !== '.') throw new InvalidIdentifierError(input, `unexpected ${JSON.stringify(s[i])} after a name`);
    i += 1;
  }
  if (parts.length > maxParts) {
    throw new InvalidIdentifierError(input, maxParts === 1 ? 'expected one name, not a qualified one' : 'expected [schema.]table');
  }
  return parts;
}

export function parseTableName(input: string): TableName {
  const parts = parseQualifiedName(input, 2);
  return parts.length === 2 ? { schema: parts[0], name: parts[1]! } : { name: parts[0]! };
}

export function parseColumnName(input: string): string {
  return parseQualifiedName(input, 1)[0]!;
}

/** Always quote: the name is taken exactly, whatever it contains. */
export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

export function quoteTable(table: TableName): string {
  return table.schema === undefined ? quoteIdent(table.name) : `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/**
 * A SQL string literal, for the few places PostgreSQL cannot take a bound parameter (a DEFAULT in
 * DDL, a DO block meant for psql).
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new InvalidValueError(value, 'text', 'contains a NUL byte');
  return pg.escapeLiteral(value).trim();
}
