/**
 * A Liquibase master changelog (XML, YAML or JSON) read for the order of the SQL files it includes:
 * `include file=...` and `includeAll path=...` (the folder's changelogs in path order, its
 * subfolders too), followed into included changelogs. A changeSet written in the changelog itself
 * (`<createTable>`, `<sql>`, `<sqlFile>`) is Liquibase's own language, not SQL: it is refused at its
 * line rather than skipped, as skipping would build a schema without what it makes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { MigrationFileError } from '../errors.js';
import { isDir } from './shared.js';
import { lineCol } from './shared.js';

/** One entry of a changelog, in document order. */
export interface ChangelogEntry {
  kind: 'include' | 'includeAll' | 'changeSet';
  line: number;
  /** `file` of an include, `path` of an includeAll. */
  target?: string;
  relativeToChangelogFile?: boolean;
  /** A changeSet's first change (`createTable`), for the refusal. */
  change?: string;
}

const CHANGELOG_EXTENSIONS = new Set(['.xml', '.yaml', '.yml', '.json']);

const readText = (file: string) => readFileSync(file, 'utf8').replace(/^\uFEFF/, '');

/** Text with XML comments and CDATA sections blanked, newlines kept. */
const withoutXmlComments = (text: string) => text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (m) => m.replace(/[^\n]/g, ' '));

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlAttributes(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of raw.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out.set(
      m[1]!.split(':').pop()!,
      (m[2] ?? m[3] ?? '').replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => XML_ENTITIES[e]!),
    );
  }
  return out;
}

/** Whether a file is a Liquibase changelog (its root is databaseChangeLog) by its kind and first few kilobytes. */
export function isChangelog(file: string): boolean {
  const ext = extname(file).toLowerCase();
  if (!CHANGELOG_EXTENSIONS.has(ext) || !existsSync(file) || !statSync(file).isFile()) return false;
  const head = readText(file).slice(0, 8192);
  if (ext === '.xml')
    return /^<([\w.-]+:)?databaseChangeLog\b/.test(
      withoutXmlComments(head)
        .replace(/<\?[\s\S]*?\?>/g, '')
        .trimStart(),
    );
  if (ext === '.json') return /^\s*\{\s*"databaseChangeLog"\s*:/.test(head);
  return /^databaseChangeLog\s*:/m.test(head);
}

/** The entries of an XML changelog: the root's children that are include, includeAll or changeSet. */
function xmlEntries(text: string): ChangelogEntry[] {
  const clean = withoutXmlComments(text);
  const out: ChangelogEntry[] = [];
  let depth = 0;
  let changeSet: ChangelogEntry | undefined;
  for (const m of clean.matchAll(/<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g)) {
    const [, closing, qname, attrs, selfClosing] = m;
    const name = qname!.split(':').pop()!;
    if (closing) {
      depth--;
      continue;
    }
    if (depth === 1 && (name === 'include' || name === 'includeAll' || name === 'changeSet')) {
      const a = xmlAttributes(attrs!);
      const entry: ChangelogEntry = {
        kind: name,
        line: lineCol(clean, m.index).line,
        target: a.get(name === 'include' ? 'file' : 'path'),
        relativeToChangelogFile: a.get('relativeToChangelogFile') === 'true',
      };
      out.push(entry);
      changeSet = name === 'changeSet' ? entry : undefined;
    } else if (depth === 2 && changeSet && !changeSet.change) changeSet.change = name;
    if (!selfClosing) depth++;
  }
  return out;
}

const yamlScalar = (raw: string) => raw.trim().replace(/^(["'])(.*)\1$/, '$2');

/** The entries of a YAML changelog: `- include:` / `- includeAll:` / `- changeSet:` items and their `file`, `path`, `relativeToChangelogFile`. */
function yamlEntries(text: string): ChangelogEntry[] {
  const out: ChangelogEntry[] = [];
  let entry: { e: ChangelogEntry; indent: number } | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s#.*$/, '');
    const item = /^(\s*)-\s+(include|includeAll|changeSet)\s*:\s*(.*)$/.exec(line);
    const indent = line.length - line.trimStart().length;
    if (item) {
      const e: ChangelogEntry = { kind: item[2] as ChangelogEntry['kind'], line: i + 1 };
      out.push(e);
      entry = { e, indent: item[1]!.length };
      // An inline map: `- include: {file: a.sql, relativeToChangelogFile: true}`.
      for (const kv of (item[3] ?? '').replace(/^\{|\}$/g, '').split(',')) setYamlAttribute(e, kv);
      continue;
    }
    if (!entry || !line.trim()) continue;
    if (indent <= entry.indent) entry = undefined;
    else if (entry.e.kind === 'changeSet' && !entry.e.change) entry.e.change = /^\s*-\s+(\w+)\s*:/.exec(line)?.[1];
    else setYamlAttribute(entry.e, line);
  }
  return out;
}

function setYamlAttribute(e: ChangelogEntry, kv: string): void {
  const m = /^\s*(file|path|relativeToChangelogFile)\s*:\s*(.+)$/.exec(kv);
  if (!m || e.kind === 'changeSet') return;
  if (m[1] === 'relativeToChangelogFile') e.relativeToChangelogFile = yamlScalar(m[2]!) === 'true';
  else e.target = yamlScalar(m[2]!);
}

/** The entries of a JSON changelog; lines are those of each entry's key. */
function jsonEntries(text: string, file: string): ChangelogEntry[] {
  let doc: { databaseChangeLog?: Record<string, Record<string, unknown>>[] };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new MigrationFileError({ file, line: 1, col: 1 }, `not JSON: ${(err as Error).message}`);
  }
  const seen = new Map<string, number>();
  return (doc.databaseChangeLog ?? []).flatMap((item) => {
    const kind = (['include', 'includeAll', 'changeSet'] as const).find((k) => k in item);
    if (!kind) return [];
    const at = text.indexOf(`"${kind}"`, seen.get(kind) ?? 0);
    seen.set(kind, at + 1);
    const body = item[kind]!;
    const changes = body.changes as Record<string, unknown>[] | undefined;
    return [
      {
        kind,
        line: lineCol(text, Math.max(0, at)).line,
        target: (body.file ?? body.path) as string | undefined,
        relativeToChangelogFile: body.relativeToChangelogFile === true,
        change: changes?.[0] && Object.keys(changes[0])[0],
      },
    ];
  });
}

/** A changelog's entries in document order. */
export function changelogEntries(file: string): ChangelogEntry[] {
  const text = readText(file);
  const ext = extname(file).toLowerCase();
  return ext === '.xml' ? xmlEntries(text) : ext === '.json' ? jsonEntries(text, file) : yamlEntries(text);
}

/**
 * Where an include's path is: beside the including changelog when `relativeToChangelogFile`, else
 * on the search path, which for a Spring or Maven project is src/main/resources: the path is tried
 * under the changelog's folder and each folder above it (`/db/changelog/changes/init.sql` and
 * `db/changelog/changes/init.sql` both resolve from .../src/main/resources/db/changelog/).
 */
function resolveTarget(changelog: string, entry: ChangelogEntry): string | undefined {
  const path = entry.target!.replace(/^classpath\*?:/, '');
  if (entry.relativeToChangelogFile) return join(dirname(changelog), path);
  if (isAbsolute(path) && existsSync(path)) return path;
  const relative = path.replace(/^\/+/, '');
  for (let dir = dirname(resolve(changelog)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dir === dirname(dir)) return undefined;
  }
}

/** The changelogs and SQL files in an includeAll folder, in Liquibase's order (full path, as strings compare). */
function includeAllFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (isDir(path)) return includeAllFiles(path);
      return CHANGELOG_EXTENSIONS.has(extname(name).toLowerCase()) || name.toLowerCase().endsWith('.sql') ? [path] : [];
    })
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function refuseChangeSet(changelog: string, e: ChangelogEntry): never {
  const what = e.change ? ` (<${e.change}>)` : '';
  throw new MigrationFileError(
    { file: changelog, line: e.line, col: 1 },
    `a changeSet written in the changelog itself${what}: that is Liquibase's own change language, not SQL, and pgmb reads SQL. Give the schema such changesets build with --schema FILE (pg_dump --schema-only) and the formatted-SQL changelogs after them as paths`,
  );
}

/** The files one include or includeAll entry brings in, checked to be there. */
function entryFiles(changelog: string, e: ChangelogEntry): string[] {
  const at = { file: changelog, line: e.line, col: 1 };
  if (!e.target) throw new MigrationFileError(at, `${e.kind} without ${e.kind === 'include' ? 'a file' : 'a path'}`);
  const target = resolveTarget(changelog, e);
  if (e.kind === 'include') {
    if (!target || !existsSync(target)) throw new MigrationFileError(at, `includes "${e.target}", which is not there (looked beside this changelog and above it, as the classpath would)`);
    return [target];
  }
  if (!target || !isDir(target)) throw new MigrationFileError(at, `includeAll of "${e.target}", which is not a folder here`);
  return includeAllFiles(target);
}

/**
 * The SQL files a master changelog runs, in Liquibase's order: its includes and includeAll folders,
 * included changelogs followed where they stand. Each file counts once; an include cycle, a missing
 * file and a changeSet written in a changelog are refused at their line.
 */
export function changelogSqlFiles(master: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (changelog: string, chain: string[]) => {
    for (const e of changelogEntries(changelog)) {
      if (e.kind === 'changeSet') refuseChangeSet(changelog, e);
      for (const file of entryFiles(changelog, e)) {
        if (file.toLowerCase().endsWith('.sql')) {
          if (!seen.has(resolve(file))) out.push(file);
          seen.add(resolve(file));
        } else if (chain.includes(resolve(file))) throw new MigrationFileError({ file: changelog, line: e.line, col: 1 }, `includes ${file}, which includes this changelog again`);
        else if (isChangelog(file)) visit(file, [...chain, resolve(file)]);
        else if (e.kind === 'include') throw new MigrationFileError({ file: changelog, line: e.line, col: 1 }, `includes ${file}, which is neither SQL nor a Liquibase changelog`);
      }
    }
  };
  visit(master, [resolve(master)]);
  return out;
}

/**
 * The master changelog in a folder: its only changelog, or the only one no other includes, or the
 * only one of those named for it (`db.changelog-master.yaml`); undefined when the folder has none.
 */
export function masterChangelog(dir: string): string | undefined {
  const changelogs = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f))
    .filter(isChangelog);
  if (changelogs.length <= 1) return changelogs[0];
  const included = new Set<string>();
  for (const c of changelogs) {
    for (const e of changelogEntries(c)) {
      if (e.kind === 'changeSet' || !e.target) continue;
      const target = resolveTarget(c, e);
      if (target) included.add(resolve(target));
    }
  }
  const roots = changelogs.filter((c) => !included.has(resolve(c)));
  const named = roots.filter((c) => /master/i.test(c.slice(dir.length)));
  if (roots.length === 1) return roots[0];
  if (named.length === 1) return named[0];
  throw new MigrationFileError(
    { file: dir, line: 1, col: 1 },
    `several Liquibase changelogs here and none includes the others (${roots.map((r) => r.slice(dir.length + 1)).join(', ')}): give pgmb the one your application runs`,
  );
}
