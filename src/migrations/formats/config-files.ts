/**
 * The small configuration files JVM migration tools are set up with, read as far as finding
 * migrations needs: Java `.properties` (flyway.conf, liquibase.properties, Spring's
 * application.properties), the plain subset of YAML Spring's application.yml uses, and the subset of
 * TOML flyway.toml uses. Each gives a flat map of dotted keys; a key is looked up as Spring binds it
 * (case, `-` and `_` do not matter). And the walk over a project's modules where tools are located.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isDir } from './shared.js';

/** A setting: a string, or a list (a TOML or YAML array; a properties value stays one string). */
export type ConfigValue = string | string[];

/** One configuration file's settings by dotted key, as written. */
export type Config = Map<string, ConfigValue>;

/** How Spring's relaxed binding compares keys: `placeholder-replacement`, `placeholderReplacement` and `PLACEHOLDER_REPLACEMENT` are one. */
const bound = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/** The value of `key` in any of its spellings. */
export function setting(config: Config, key: string): ConfigValue | undefined {
  const want = bound(key);
  for (const [k, v] of config) if (bound(k) === want) return v;
  return undefined;
}

/** A setting as a list: a list as it is, a string split at commas (`flyway.locations=a,b`). */
export function listSetting(config: Config, key: string): string[] | undefined {
  const v = setting(config, key);
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** A boolean setting; undefined when absent or not `true`/`false`. */
export function booleanSetting(config: Config, key: string): boolean | undefined {
  const v = setting(config, key);
  if (typeof v !== 'string') return undefined;
  if (/^true$/i.test(v.trim())) return true;
  if (/^false$/i.test(v.trim())) return false;
  return undefined;
}

/** Every `prefix.<name>` setting as name → value, the name as written (`flyway.placeholders.tableName`). */
export function settingsUnder(config: Config, prefix: string): Map<string, string> {
  const want = bound(prefix);
  const out = new Map<string, string>();
  for (const [k, v] of config) {
    for (let i = k.indexOf('.'); i >= 0; i = k.indexOf('.', i + 1)) {
      if (bound(k.slice(0, i)) !== want) continue;
      out.set(k.slice(i + 1), Array.isArray(v) ? v.join(',') : v);
      break;
    }
  }
  return out;
}

const unescapeProperty = (s: string) =>
  s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => (c.length === 5 ? String.fromCharCode(Number.parseInt(c.slice(1), 16)) : ({ n: '\n', t: '\t', r: '\r', f: '\f' }[c] ?? c)));

/** Java `.properties`: `key=value`, `key: value` or `key value`; `#` and `!` comments; a trailing `\` continues the line. */
export function readProperties(text: string): Config {
  const config: Config = new Map();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    const m = /^((?:\\.|[^\\=:\s])*)\s*[=:]?\s*(.*)$/.exec(line)!;
    config.set(unescapeProperty(m[1]!), unescapeProperty(m[2]!));
  }
  return config;
}

/** A YAML or TOML scalar: quotes taken off, a trailing comment dropped. */
function scalar(raw: string, comment: '#'): string {
  const s = raw.trim();
  const quoted = /^("((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)')/.exec(s);
  if (quoted) return quoted[2] !== undefined ? quoted[2].replace(/\\(.)/g, '$1') : quoted[3]!.replace(/''/g, "'");
  const hash = s.search(new RegExp(`\\s${comment}`));
  return (hash >= 0 ? s.slice(0, hash) : s).trim();
}

/** A flow list `[a, "b"]`, or undefined when `raw` is not one. */
function flowList(raw: string): string[] | undefined {
  const m = /^\[(.*)\]\s*(#.*)?$/s.exec(raw.trim());
  if (!m) return undefined;
  return (m[1]!.match(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,\s][^,]*/g) ?? []).map((v) => scalar(v, '#')).filter((v) => v !== '');
}

/**
 * The plain YAML of Spring's application.yml (first document only): nested maps by indentation,
 * scalars, `- item` lists of scalars and `[a, b]` lists, as dotted keys. Anchors, multi-line
 * strings and lists of maps are not read.
 */
export function readYaml(text: string): Config {
  const config: Config = new Map();
  const path: { indent: number; key: string }[] = [];
  let listKey: string | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (/^(---|\.\.\.)\s*$/.test(raw) && config.size) break;
    if (!raw.trim() || raw.trim().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const item = /^\s*-\s+(.*)$/.exec(raw);
    if (item && listKey) {
      (config.get(listKey) as string[]).push(scalar(item[1]!, '#'));
      continue;
    }
    const m = /^\s*("[^"]*"|'[^']*'|[^:#]+?)\s*:(?:\s+(.*))?$/.exec(raw);
    if (!m) continue;
    while (path.length && path[path.length - 1]!.indent >= indent) path.pop();
    const key = [...path.map((p) => p.key), scalar(m[1]!, '#')].join('.');
    const value = m[2]?.trim() ?? '';
    listKey = undefined;
    if (!value || value.startsWith('#')) {
      path.push({ indent, key: scalar(m[1]!, '#') });
      config.set(key, []);
      listKey = key;
    } else config.set(key, flowList(value) ?? scalar(value, '#'));
  }
  for (const [k, v] of config) if (Array.isArray(v) && v.length === 0) config.delete(k);
  return config;
}

/**
 * The TOML of flyway.toml: `[table.name]` headers, `key = value` with dotted or quoted keys, strings,
 * booleans, numbers and arrays of strings (over several lines too). Arrays of tables are skipped.
 */
export function readToml(text: string): Config {
  const config: Config = new Map();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let table = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[\s*([^[\]]+?)\s*\]\s*(#.*)?$/.exec(line);
    if (header) table = header[1]!.replace(/\s*\.\s*/g, '.').replace(/["']/g, '');
    if (header || line.startsWith('[[')) {
      if (line.startsWith('[[')) table = '\0';
      continue;
    }
    const m = /^("[^"]*"|'[^']*'|[\w.\-\s"']+?)\s*=\s*(.*)$/.exec(line);
    if (!m || table === '\0') continue;
    let value = m[2]!;
    while (value.trim().startsWith('[') && !flowList(value) && i + 1 < lines.length) value += ` ${lines[++i]!.replace(/#.*$/, '').trim()}`;
    const key = m[1]!.replace(/\s*\.\s*/g, '.').replace(/["']/g, '');
    config.set(table ? `${table}.${key}` : key, flowList(value.replace(/,\s*\]/, ']')) ?? scalar(value, '#'));
  }
  return config;
}

/** The settings in `file` by its kind (`.properties`/`.conf`, `.yml`/`.yaml`, `.toml`); undefined when it is not there or cannot be read. */
export function readConfigFile(file: string): Config | undefined {
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    if (!statSync(file).isFile()) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (/\.ya?ml$/i.test(file)) return readYaml(text);
  if (/\.toml$/i.test(file)) return readToml(text);
  return readProperties(text);
}

/** Folders a walk over a project never enters: dependencies, build output, VCS and editor state. */
export const SKIPPED = new Set(['node_modules', 'target', 'build', 'dist', 'out', 'vendor', 'bin', 'obj', 'coverage']);

/** The folders directly in `dir` a walk enters, in name order. */
function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir)
      .sort()
      .filter((name) => !name.startsWith('.') && !SKIPPED.has(name) && isDir(join(dir, name)))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/**
 * The folders a project's modules may be in: `root` and its subfolders up to `depth` levels, in
 * breadth-first, name order, without hidden folders, dependencies, build output and `src` trees (a
 * module's sources are its own, not further modules). A Maven or Gradle subproject (conductor's
 * `postgres-persistence/`) is one of them.
 */
export function projectDirs(root: string, depth = 3): string[] {
  let out: string[] = [];
  let level = [root];
  for (let d = 0; level.length; d++) {
    out = out.concat(level);
    if (d === depth) break;
    level = level.flatMap((dir) => subfolders(dir)).filter((dir) => basename(dir) !== 'src');
  }
  return out;
}

/**
 * The folder a file's module keeps its classpath resources in, when the file is under one
 * (`<module>/src/main/resources/...`): where a `classpath:` location of that module is.
 */
export function resourcesRoot(file: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (/[/\\]src[/\\](main|test)[/\\]resources$/.test(dir)) return dir;
  }
  return undefined;
}
