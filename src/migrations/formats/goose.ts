import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { Location } from '../location.js';
import type { MigrationTool, ReadOptions, ToolFile, UpPart } from './format.js';
import { byVersion, findFolders, sqlFiles } from './shared.js';

/*
 * goose (pressly/goose), read as its SQL parser reads a file (internal/sqlparser/parser.go, v3.2x:
 * https://github.com/pressly/goose/blob/main/internal/sqlparser/parser.go) and as its docs describe
 * annotations (https://pressly.github.io/goose/documentation/annotations/): case-insensitive,
 * on their own line without leading whitespace, exactly one Up, an optional Down after it.
 */

/** The seven annotations goose knows, lower-cased (goose compares with strings.EqualFold). */
const ANNOTATIONS = ['up', 'down', 'statementbegin', 'statementend', 'no transaction', 'envsub on', 'envsub off'] as const;
type Annotation = (typeof ANNOTATIONS)[number];

/** A file is goose's when a line is its Up or Down annotation. */
const GOOSE_LINE = /^--[ \t]*\+goose[ \t]+(up|down)[ \t]*\r?$/im;

/**
 * goose's extractAnnotation: a line that starts with `--` (after trimming) and holds `+goose` is an
 * annotation; whitespace before the `--`, a second `+goose` or an unknown word makes goose refuse the file.
 */
function annotationOf(line: string, at: Location): Annotation | undefined {
  if (!line.trim().startsWith('--') || !line.includes('+goose')) return undefined;
  const refused = (why: string) => new MigrationFileError(at, `goose refuses the annotation ${JSON.stringify(line.trim())}: ${why}`);
  if (/^[ \t]/.test(line)) throw refused('no whitespace may come before "--"');
  const rest = line.replaceAll('--', '').replace('+goose', '');
  if (rest.includes('+goose')) throw refused('two "+goose" on one line');
  const word = rest.trim().toLowerCase();
  const found = ANNOTATIONS.find((a) => a === word);
  if (!found) throw refused(`it is not one of ${ANNOTATIONS.map((a) => `"-- +goose ${a}"`).join(', ')}`);
  return found;
}

/** Where goose's parser is: before Up, in the up or down section, or inside a StatementBegin block of either. */
type State = 'start' | 'up' | 'upBlock' | 'down' | 'downBlock';
type Structural = 'up' | 'down' | 'statementbegin' | 'statementend';

/** goose's state machine: the state each structural annotation leads to from each state it is allowed in. */
const NEXT: Record<Structural, Partial<Record<State, State>>> = {
  up: { start: 'up' },
  down: { up: 'down' },
  statementbegin: { up: 'upBlock', down: 'downBlock' },
  statementend: { upBlock: 'up', downBlock: 'down' },
};

/** Why goose refuses a structural annotation where it stands. */
const MISPLACED: Record<Structural, string> = {
  up: 'a second "-- +goose Up": goose allows one up section per file',
  down: '"-- +goose Down" must come once, after "-- +goose Up" and outside a StatementBegin block',
  statementbegin: '"-- +goose StatementBegin" must come after "-- +goose Up" or "-- +goose Down", and blocks do not nest',
  statementend: '"-- +goose StatementEnd" without a "-- +goose StatementBegin" before it',
};

/**
 * The up part of a goose file: the lines of the up section (StatementBegin/End blocks included: the
 * parser splits them anyway), every annotation line and the down section blanked. `-- +goose NO
 * TRANSACTION` anywhere in the file runs all of it outside a transaction, as goose's useTx does.
 */
function upPart(file: ToolFile): UpPart {
  let state: State = 'start';
  let noTransaction = false;
  let envsub = false;
  let blockLine = 0;
  const lines = file.text.split('\n').map((line, i) => {
    const at = { file: file.path, line: i + 1, col: 1 };
    const a = annotationOf(line, at);
    if (a === 'no transaction') noTransaction = true;
    else if (a === 'envsub on' || a === 'envsub off') envsub = a === 'envsub on';
    else if (a) {
      const next = NEXT[a][state];
      if (!next) throw new MigrationFileError(at, MISPLACED[a]);
      if (a === 'statementbegin') blockLine = i + 1;
      state = next;
    } else if (state === 'up' || state === 'upBlock') return envsub && !line.trim().startsWith('--') ? substitute(line, at, file.options) : line;
    else if (state === 'start' && line.trim() !== '' && !line.trim().startsWith('--'))
      throw new MigrationFileError(at, 'SQL before "-- +goose Up": goose runs nothing outside its up and down sections');
    return ' '.repeat(line.length);
  });
  if (state === 'start') throw new MigrationFileError({ file: file.path, line: 1, col: 1 }, 'no "-- +goose Up" line: goose needs one to know what to run');
  if (state !== 'up' && state !== 'down') throw new MigrationFileError({ file: file.path, line: blockLine, col: 1 }, '"-- +goose StatementBegin" without its "-- +goose StatementEnd"');
  return { text: lines.join('\n'), noTransaction };
}

/** A variable's value, undefined when unset. */
type Lookup = (name: string) => string | undefined;

/** A variable name as goose's interpolation library reads it: a letter, then letters, digits or `_`. */
const NAME = /^\p{L}[\p{L}\p{N}_]*/u;

/**
 * `-- +goose ENVSUB ON`: goose expands variables in each SQL line with mfridman/interpolate
 * (https://github.com/mfridman/interpolate, its README lists the forms): `$NAME` and `${NAME}`
 * (unset: empty), `${NAME:-word}` (unset or empty: word), `${NAME-word}` (unset: word),
 * `${NAME?message}` (unset: goose fails), `${NAME:offset[:length]}` (a substring). A `$` before
 * anything else stays, so `$$` dollar quotes are kept (goose's envsub test02 golden keeps them).
 * goose reads the environment of the process that runs it (os.LookupEnv); pgmb reads `--placeholder
 * NAME=value` first, as the values that matter are the deploy's, then its own environment.
 */
function substitute(line: string, at: Location, options: ReadOptions): string {
  const lookup: Lookup = (name) => options.placeholders.get(name) ?? process.env[name];
  const fail = (index: number, why: string) => new MigrationFileError({ ...at, col: index + 1 }, `goose's ENVSUB cannot expand this: ${why}`);
  return expand(line, 0, { lookup, fail }, true)[0];
}

interface Expander {
  lookup: Lookup;
  fail: (index: number, why: string) => MigrationFileError;
}

/** `text` from `from` with its variables expanded, up to a `}` when `inBraces`: the result and where it stopped. `live`: a `${NAME?}` may fail here (a default not taken is not evaluated). */
function expand(text: string, from: number, ex: Expander, live: boolean, inBraces = false): [string, number] {
  let out = '';
  let i = from;
  while (i < text.length && !(inBraces && text[i] === '}')) {
    const name = text[i] === '$' && NAME.exec(text.slice(i + 1))?.[0];
    if (text.startsWith('${', i)) {
      const [value, end] = braced(text, i, ex, live);
      out += value;
      i = end;
    } else if (name) {
      out += ex.lookup(name) ?? '';
      i += 1 + name.length;
    } else out += text[i++];
  }
  return [out, i];
}

/** One `${...}` starting at `start`: its value and the index after its `}`. */
function braced(text: string, start: number, ex: Expander, live: boolean): [string, number] {
  const name = NAME.exec(text.slice(start + 2))?.[0];
  if (!name) throw ex.fail(start, 'a variable name must follow "${" and start with a letter');
  const value = ex.lookup(name);
  let i = start + 2 + name.length;
  let result = value ?? '';
  if (text[i] === ':' && text[i + 1] !== '-') [result, i] = substring(text, i + 1, value ?? '', ex);
  else if (text[i] !== '}') {
    const op = text.startsWith(':-', i) ? ':-' : text[i];
    if (op !== ':-' && op !== '-' && op !== '?') throw ex.fail(i, `"${op ?? 'end of line'}" after \${${name}: expected "}", ":-", "-", "?" or ":offset"`);
    const taken = op === ':-' ? !value : value === undefined;
    const [word, end] = expand(text, i + op.length, ex, live && taken, true);
    if (op === '?' && taken && live) throw ex.fail(start, `$${name}: ${word || 'not set'}`);
    if (op !== '?' && taken) result = word;
    i = end;
  }
  if (text[i] !== '}') throw ex.fail(start, `\${${name} is not closed by "}"`);
  return [result, i + 1];
}

/** `${NAME:offset[:length]}` from the offset: the substring and the index of its `}` (interpolate's SubstringExpansion). */
function substring(text: string, from: number, value: string, ex: Expander): [string, number] {
  const close = text.indexOf('}', from);
  if (close < 0) throw ex.fail(from, 'a substring expansion is not closed by "}"');
  const [offset = '', ...rest] = text.slice(from, close).split(':');
  const whole = (s: string) => {
    if (!/^\s*-?\d+\s*$/.test(s)) throw ex.fail(from, `"${s}" is not a whole number (\${NAME:offset:length})`);
    return Number(s);
  };
  const clamp = (n: number, low: number) => Math.min(Math.max(n, low), value.length);
  const o = whole(offset);
  const begin = clamp(o < 0 ? o + value.length : o, 0);
  if (!rest.length) return [value.slice(begin), close];
  const length = whole(rest.join(':'));
  return [value.slice(begin, clamp(length < 0 ? length + value.length : begin + length, begin)), close];
}

/**
 * goose's NumericComponent: the version is the integer before the first `_`, above zero and within
 * 64 bits; goose refuses a .sql file in its folder that has none.
 */
function gooseVersion(file: string): bigint {
  const base = basename(file);
  const head = base.slice(0, Math.max(base.indexOf('_'), 0));
  if (/^\d+$/.test(head) && BigInt(head) > 0n && BigInt(head) <= 2n ** 63n - 1n) return BigInt(head);
  throw new MigrationFileError({ file, line: 1, col: 1 }, 'goose reads a migration version from its name: <version>_<description>.sql, a whole number above zero');
}

const isGooseFile = (file: string) => GOOSE_LINE.test(readFileSync(file, 'utf8'));

/** goose: `-- +goose Up` / `-- +goose Down` sections in `<version>_<description>.sql` files, applied in version order. */
export const goose: MigrationTool<'goose'> = {
  name: 'goose',
  title: 'goose',
  /** A folder whose .sql files carry goose annotations, in version order (goose sorts by version and refuses a duplicate). */
  folder(dir) {
    const files = sqlFiles(dir);
    if (!files.some(isGooseFile)) return undefined;
    const versioned = files.map((file) => ({ file, version: gooseVersion(file) })).sort(byVersion);
    versioned.forEach((v, i) => {
      const before = versioned[i - 1];
      if (before?.version === v.version)
        throw new MigrationFileError({ file: v.file, line: 1, col: 1 }, `version ${v.version} again (also ${basename(before.file)}): goose refuses duplicate versions`);
    });
    return versioned.map((v) => v.file);
  },
  layoutDecides: false,
  claim: (text) => (GOOSE_LINE.test(text) ? 'marker' : undefined),
  /** Named by the file, as goose's `up` and `status` print it (`OK   00001_create_users.sql`). */
  migrations: (file) => [{ name: basename(file.file), ...upPart(file) }],
  /** goose has no config file: its folders are those whose .sql files carry its annotations. */
  locate: (root) => findFolders(root, (dir) => sqlFiles(dir).some(isGooseFile)),
};
