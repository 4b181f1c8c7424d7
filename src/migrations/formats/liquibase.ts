import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MigrationFileError } from '../errors.js';
import { booleanSetting, projectDirs, readConfigFile, setting } from './config-files.js';
import { isDir } from './shared.js';
import type { MigrationTool, ToolFile, ToolMigration } from './format.js';
import { changelogSqlFiles, isChangelog, masterChangelog } from './liquibase-changelog.js';

/**
 * Liquibase's SQL changelogs. A `.sql` file is formatted SQL when its first non-blank line is
 * `--liquibase formatted sql` (AbstractFormattedChangeLogParser.supports: that line only, so a
 * header under a licence comment does not count): each `--changeset author:id [attributes]` starts
 * a changeset, one migration each, in file order. Any other .sql file Liquibase reads as raw SQL:
 * one changeset, `includeAll:raw`, the whole file in one transaction, its `--changeset` lines mere
 * comments. A folder with a master changelog (XML, YAML or JSON) is run in the order it includes
 * its files (liquibase-changelog.ts).
 */

/** Liquibase's formatted-SQL header, matched against the first non-blank line (case-insensitive, as Liquibase 4 has it). */
const HEADER = /^--\s*liquibase formatted.*$/i;
const CHANGESET = /^\s*--\s*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+).*$/i;
const ANY_CHANGESET = /^\s*-{1,2}\s*changeset\b/i;
const ROLLBACK = /^\s*--\s*rollback\b/i;
const ROLLBACK_BLOCK = /^\s*\/\*\s*liquibase\s*rollback\s*$/i;
const BLOCK_END = /\*\/\s*$/;
/** Lines that say something to Liquibase, not to the database: comments to PostgreSQL too, blanked so the changeset is its SQL alone. */
const DIRECTIVE = /^\s*--\s*(comments?:?\s|comment$|preconditions|precondition-|validCheckSum|property\s)/i;
const PROPERTY = /^\s*--\s*property\s+.*\bname:\s*(\S+).*\bvalue:\s*(\S+)/i;
const IGNORE_LINES = /^\s*--\s*ignoreLines:(\w+)/i;

/** The first non-blank line of a text. */
const firstLine = (text: string) =>
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .find((l) => l.trim())
    ?.replace(/\r$/, '') ?? '';

/** Whether Liquibase reads this file as formatted SQL. */
export const isFormattedSql = (text: string) => HEADER.test(firstLine(text));

/** One changeset's attribute: `runInTransaction:false`, `endDelimiter:/`, `dbms:postgresql,h2`. */
const attribute = (line: string, name: string) => new RegExp(`(?:^|\\s)${name}:("[^"]*"|\\S*)`, 'i').exec(line)?.[1]?.replace(/^"|"$/g, '');

/** Whether a changeset's `dbms:` list lets it run on PostgreSQL (Liquibase's DatabaseList: `all`, `none`, `!h2`). */
function forPostgres(dbms: string | undefined): boolean {
  const list = (dbms ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  if (!list.length || list.includes('all')) return true;
  if (list.includes('none') || list.includes('!postgresql')) return false;
  return list.every((d) => d.startsWith('!')) || list.includes('postgresql');
}

/** A changeset being read: where it starts, its attributes and which lines are its SQL. */
interface Changeset {
  name: string;
  line: number;
  header: string;
  sql: number[];
}

/** The `--changeset` line's author:id, as Liquibase checks it (no space after the colon: newer Liquibase refuses `author: id`). */
function changesetName(file: ToolFile, line: string, index: number): string | undefined {
  const m = CHANGESET.exec(line);
  if (!m) {
    if (!ANY_CHANGESET.test(line)) return undefined;
    throw new MigrationFileError({ file: file.path, line: index + 1, col: 1 }, 'a --changeset line Liquibase does not read: write it --changeset author:id');
  }
  const [, author, id] = m;
  if (!new RegExp(`--\\s*changeset\\s+${`${author}:${id}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i').test(line)) {
    throw new MigrationFileError(
      { file: file.path, line: index + 1, col: 1 },
      `"${line.trim()}": Liquibase refuses a space after the colon (Unexpected formatting): write --changeset ${author!.trim()}:${id}`,
    );
  }
  const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');
  return `${unquote(author!)}:${unquote(id!)}`;
}

/** Lines `--ignoreLines:start` ... `--ignoreLines:end` or `--ignoreLines:N` skip; returns the index of the last line skipped. */
function ignoredUntil(lines: string[], i: number): number {
  const how = IGNORE_LINES.exec(lines[i]!)![1]!;
  if (/^\d+$/.test(how)) return Math.min(lines.length - 1, i + Number(how));
  let j = i + 1;
  while (j < lines.length && !/^\s*--\s*ignoreLines:end\b/i.test(lines[j]!)) j++;
  return j;
}

/** The changesets of a formatted-SQL file, each with its SQL lines (rollback, comment and other directive lines left out); properties collected. */
function readChangesets(file: ToolFile, lines: string[], properties: Map<string, string>): Changeset[] {
  const out: Changeset[] = [];
  let current: Changeset | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const name = changesetName(file, line, i);
    const property = PROPERTY.exec(line);
    if (property) properties.set(property[1]!, property[2]!);
    if (name) {
      current = { name, line: i + 1, header: line, sql: [] };
      out.push(current);
    } else if (IGNORE_LINES.test(line)) i = ignoredUntil(lines, i);
    else if (ROLLBACK_BLOCK.test(line) && current) {
      const start = i;
      while (i < lines.length && !BLOCK_END.test(lines[i]!.replace(/\r$/, ''))) i++;
      if (i >= lines.length) throw new MigrationFileError({ file: file.path, line: start + 1, col: 1 }, 'a /* liquibase rollback block that is never closed with */');
    } else if (current && !ROLLBACK.test(line) && !DIRECTIVE.test(line)) current.sql.push(i);
  }
  return out;
}

/**
 * A changeset's SQL as the file's text: every other character blanked (lines stay), a line that is
 * only its statement delimiter (`endDelimiter:GO`, or Liquibase's default `GO` and `/` lines) made a
 * `;` for PostgreSQL's parser, and `${name}` replaced where a `--property` or --placeholder names it
 * (others are left, as Liquibase leaves them).
 */
function changesetText(lines: string[], c: Changeset, properties: Map<string, string>, options: ToolFile['options']): string {
  const keep = new Set(c.sql);
  const delimiter = attribute(c.header, 'endDelimiter');
  const isDelimiter = (line: string) => {
    const t = line.trim().toLowerCase();
    return delimiter && delimiter !== ';' ? t === delimiter.toLowerCase() : t === 'go' || t === '/';
  };
  const values = new Map([...properties, ...options.placeholders]);
  return lines
    .map((line, i) => {
      if (!keep.has(i)) return line.replace(/[^\n]/g, ' ');
      if (isDelimiter(line)) return `;${line.slice(1).replace(/[^\n]/g, ' ')}`;
      return line.replace(/\$\{([^}]+)\}/g, (m, name: string) => values.get(name) ?? m);
    })
    .join('\n');
}

/** The migrations of a formatted-SQL file: its changesets that run on PostgreSQL (not `dbms:` for another, not `ignore:true`). */
function formattedMigrations(file: ToolFile): ToolMigration[] {
  const lines = file.text.split('\n');
  const properties = new Map<string, string>();
  const changesets = readChangesets(file, lines, properties);
  const out: ToolMigration[] = [];
  for (const c of changesets) {
    if (!c.sql.some((i) => lines[i]!.trim())) throw new MigrationFileError({ file: file.path, line: c.line, col: 1 }, `changeset ${c.name} has no SQL: Liquibase refuses it (No SQL for changeset)`);
    if (!forPostgres(attribute(c.header, 'dbms')) || attribute(c.header, 'ignore')?.toLowerCase() === 'true') continue;
    out.push({ name: c.name, text: changesetText(lines, c, properties, file.options), noTransaction: attribute(c.header, 'runInTransaction')?.toLowerCase() === 'false' });
  }
  return out;
}

/** A master changelog's folder named by a Liquibase setting (`changeLogFile`, `spring.liquibase.change-log`), as it sits in `module`. */
function changelogDir(value: string | undefined, module: string): string | undefined {
  if (!value) return undefined;
  const path = value.replace(/^classpath\*?:/, '').replace(/^\/+/, '');
  for (const base of [join(module, 'src', 'main', 'resources'), module]) {
    if (isChangelog(join(base, path))) return dirname(join(base, path));
  }
  return undefined;
}

/** The folders holding a module's master changelog: from liquibase.properties or Spring's application file, else Spring's default db/changelog. */
function moduleChangelogs(module: string): string[] {
  const resources = join(module, 'src', 'main', 'resources');
  const props = readConfigFile(join(module, 'liquibase.properties'));
  const named = props && changelogDir((setting(props, 'changeLogFile') ?? setting(props, 'changelog-file')) as string | undefined, module);
  if (named) return [named];
  for (const f of ['application.properties', 'application.yml', 'application.yaml']) {
    const spring = readConfigFile(join(resources, f));
    if (!spring) continue;
    if (booleanSetting(spring, 'spring.liquibase.enabled') === false) return [];
    const dir = changelogDir(setting(spring, 'spring.liquibase.change-log') as string | undefined, module);
    if (dir) return [dir];
  }
  return [join(resources, 'db', 'changelog'), join(module, 'db', 'changelog')].filter((d) => isDir(d) && readdirSync(d).some((f) => isChangelog(join(d, f))));
}

/**
 * The files of `dir` that a master changelog in the folder above it (or the one above that) runs,
 * in the master's order (`db/changelog/changes/` under `db/changelog/changelog-master.xml`);
 * undefined when no such master includes any. A master that cannot be read here does not count.
 */
function includedFrom(dir: string): string[] | undefined {
  const within = (f: string) => resolve(f, '..') === resolve(dir);
  for (let up = resolve(dir, '..'), i = 0; i < 2; up = resolve(up, '..'), i++) {
    try {
      const master = masterChangelog(up);
      const files = master ? changelogSqlFiles(master).filter(within) : [];
      if (files.length) return files;
    } catch (err) {
      if (!(err instanceof MigrationFileError)) throw err;
    }
  }
  return undefined;
}

export const liquibase: MigrationTool<'liquibase'> = {
  name: 'liquibase',
  title: 'Liquibase',
  /** A folder with a master changelog: the SQL files it includes, in its order; a folder of SQL files a master one or two levels up includes: those, in its order. */
  folder: (dir) => {
    const master = masterChangelog(dir);
    return master ? changelogSqlFiles(master) : includedFrom(dir);
  },
  /** What a changelog includes is Liquibase's, formatted or raw: it reads raw SQL files too. */
  layoutDecides: true,
  /** The header on the first non-blank line is a marker; the header further down (under a licence) only a hint: Liquibase reads that file as raw SQL. */
  claim: (text) => (isFormattedSql(text) ? 'marker' : /^--\s*liquibase formatted/im.test(text) ? 'hint' : undefined),
  /** A formatted-SQL file's changesets (`author:id`); a raw SQL file as one `includeAll:raw` changeset. */
  migrations: (file) => (isFormattedSql(file.text) ? formattedMigrations(file) : [{ name: 'includeAll:raw', text: file.text, noTransaction: false }]),
  /** Each module's master changelog folder under `root`: each is a history of its own (one database each). */
  locate: (root) => {
    const seen = new Set<string>();
    return projectDirs(root)
      .flatMap(moduleChangelogs)
      .filter((d) => !seen.has(resolve(d)) && seen.add(resolve(d)));
  },
};
