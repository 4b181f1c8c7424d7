import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { MigrationFileError } from '../errors.js';
import { type Config, SKIPPED, booleanSetting, listSetting, projectDirs, readConfigFile, setting, settingsUnder } from './config-files.js';
import type { MigrationTool, ToolFile } from './format.js';
import { flywayTransaction } from './flyway-transactions.js';
import { isDir, lineCol } from './shared.js';

/**
 * Flyway's SQL migrations: `V<version>__<description>.sql` in version order (parts split at `.` or
 * `_`, compared as numbers: 2 < 2.1 < 10; trailing zero parts do not count, so 1.0 is 1), then the
 * repeatable `R__<description>.sql` in description order, as Flyway's ResolvedMigrationComparator has
 * it. A baseline `B<version>__` (Flyway Teams) stands for every versioned migration up to its version
 * on an empty database, which is what pgmb builds on. Undo `U` files, callbacks (`afterMigrate.sql`),
 * names Flyway does not recognise (`V1_init.sql`, one underscore) and non-.sql files are ignored, as
 * Flyway ignores them. A location is scanned recursively.
 */

/** A Flyway file name, understood: its kind, version parts (not for repeatables) and description. */
export interface FlywayName {
  kind: 'V' | 'R' | 'B';
  /** The version's numeric parts, trailing zeros dropped (Flyway's MigrationVersion). */
  version?: bigint[];
  /** The version as Flyway prints it: `_` read as `.` (`2_1` is `2.1`). */
  versionText?: string;
  /** The description: `_` read as a space. */
  description: string;
}

/** Flyway's reading of a file name, or undefined when Flyway would not take it for a migration. */
export function flywayName(file: string): FlywayName | undefined {
  const base = basename(file);
  if (!base.endsWith('.sql')) return undefined;
  const kind = base[0];
  if (kind !== 'V' && kind !== 'R' && kind !== 'B') return undefined;
  const rest = base.slice(1, -'.sql'.length);
  const sep = rest.indexOf('__');
  const versionText = (sep >= 0 ? rest.slice(0, sep) : rest).replace(/_/g, '.');
  const description = (sep >= 0 ? rest.slice(sep + 2) : '').replace(/_/g, ' ');
  if (kind === 'R') return versionText === '' ? { kind, description } : undefined;
  const parts = versionText.split(/\.(?=\d)/);
  if (!versionText || !parts.every((p) => /^\d+$/.test(p))) return undefined;
  const version = parts.map((p) => BigInt(p));
  while (version.length > 1 && version[version.length - 1] === 0n) version.pop();
  return { kind, version, versionText, description };
}

/** Flyway's order of two versions: part by part as numbers, a missing part counting as 0. */
export function compareVersions(a: bigint[], b: bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0n) - (b[i] ?? 0n);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return 0;
}

type Named = { file: string; name: FlywayName };

/** Java's String.compareTo: UTF-16 code units, which is also how JavaScript's `<` compares. */
const javaCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Two migrations Flyway refuses to have together: the same version, or repeatables of one description. */
function refuseTwins(sorted: Named[], same: (a: Named, b: Named) => boolean, what: (n: Named) => string): void {
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    if (same(a, b)) throw new MigrationFileError({ file: b.file, line: 1, col: 1 }, `${what(b)} again (also ${a.file}): Flyway refuses two migrations with one ${what(b).split(' ')[0]}`);
  }
}

/**
 * Migration files from one or several Flyway locations in the order Flyway applies them to an empty
 * database: one history, whatever folder each file is in (conductor's V10.1 in `migration_postgres_notify/`
 * runs between V10 and V11 of `migration_postgres/`). Names Flyway ignores are left out; two
 * migrations with one version, or two repeatables with one description, are refused as Flyway refuses
 * them. The same file given twice counts once.
 */
export function flywayOrder(files: string[]): string[] {
  const seen = new Set<string>();
  const named: Named[] = [];
  for (const file of files) {
    const name = flywayName(file);
    if (!name || seen.has(resolve(file))) continue;
    seen.add(resolve(file));
    named.push({ file, name });
  }
  const byVersion = (a: Named, b: Named) => compareVersions(a.name.version!, b.name.version!);
  const sameVersion = (a: Named, b: Named) => byVersion(a, b) === 0;
  const versioned = named.filter((n) => n.name.kind === 'V').sort(byVersion);
  const baselines = named.filter((n) => n.name.kind === 'B').sort(byVersion);
  const repeatables = named.filter((n) => n.name.kind === 'R').sort((a, b) => javaCompare(a.name.description, b.name.description));
  refuseTwins(versioned, sameVersion, (n) => `version ${n.name.versionText}`);
  refuseTwins(baselines, sameVersion, (n) => `baseline version ${n.name.versionText}`);
  refuseTwins(
    repeatables,
    (a, b) => a.name.description === b.name.description,
    (n) => `repeatable description "${n.name.description}"`,
  );
  const baseline = baselines[baselines.length - 1];
  const applied = baseline ? [baseline, ...versioned.filter((v) => byVersion(v, baseline) > 0)] : versioned;
  return [...applied, ...repeatables].map((n) => n.file);
}

/** Every file under `dir` (Flyway scans a location recursively), hidden folders, dependencies and build output aside. */
function filesUnder(dir: string, depth = 0): string[] {
  return readdirSync(dir)
    .sort()
    .filter((name) => !name.startsWith('.') && !SKIPPED.has(name))
    .flatMap((name) => {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isFile()) return [path];
      return stat.isDirectory() && depth < 12 ? filesUnder(path, depth + 1) : [];
    });
}

/** The Flyway migrations in one location, in Flyway's order. */
const locationFiles = (dir: string) => flywayOrder(filesUnder(dir));

/** Flyway's settings from a project's configuration (flyway.conf, flyway.toml or Spring's application.properties/yml), as `migrations` uses them. */
interface FlywaySettings {
  /** Where they were read, for messages. */
  source?: string;
  placeholders: Map<string, string>;
  placeholderReplacement: boolean;
  placeholderPrefix: string;
  placeholderSuffix: string;
  mixed: boolean;
  /** `flyway.executeInTransaction=false`: every migration outside a transaction. */
  executeInTransaction: boolean;
  table: string;
  defaultSchema: string;
  environment: string;
}

/** The configuration files of one folder that may hold Flyway's settings, each with the key prefix Flyway's settings have in it. */
function configFilesIn(dir: string): { file: string; prefix: string }[] {
  const spring = /[/\\]src[/\\]main[/\\]resources$/.test(resolve(dir)) ? dir : join(dir, 'src', 'main', 'resources');
  return [
    { file: join(dir, 'flyway.conf'), prefix: 'flyway' },
    { file: join(dir, 'conf', 'flyway.conf'), prefix: 'flyway' },
    { file: join(dir, 'flyway.toml'), prefix: 'flyway' },
    ...['application.properties', 'application.yml', 'application.yaml'].map((f) => ({ file: join(spring, f), prefix: 'spring.flyway' })),
  ];
}

/** Flyway's settings in the first of `dir`'s configuration files that has any; undefined when none has. */
function configIn(dir: string): { config: Config; prefix: string; file: string } | undefined {
  for (const { file, prefix } of configFilesIn(dir)) {
    const config = readConfigFile(file);
    if (config && [...config.keys()].some((k) => k.toLowerCase().startsWith(`${prefix}.`))) return { config, prefix, file };
  }
  return undefined;
}

/**
 * The settings that apply to a migration file: from the nearest folder above it (up to eight levels)
 * with a flyway.conf, flyway.toml or Spring application file naming Flyway settings; Flyway's defaults
 * where none is found or a setting is absent.
 */
function flywaySettings(file: string): FlywaySettings {
  let found: ReturnType<typeof configIn>;
  for (let dir = resolve(file, '..'), i = 0; i < 8 && !found; dir = resolve(dir, '..'), i++) {
    found = configIn(dir);
    if (dir === resolve(dir, '..')) break;
  }
  const config = found?.config ?? new Map();
  const p = found?.prefix ?? 'flyway';
  const text = (key: string, fallback: string) => {
    const v = setting(config, `${p}.${key}`);
    return typeof v === 'string' && v.trim() ? v.trim() : fallback;
  };
  return {
    source: found?.file,
    placeholders: settingsUnder(config, `${p}.placeholders`),
    placeholderReplacement: booleanSetting(config, `${p}.placeholderReplacement`) ?? true,
    placeholderPrefix: text('placeholderPrefix', '${'),
    placeholderSuffix: text('placeholderSuffix', '}'),
    mixed: booleanSetting(config, `${p}.mixed`) ?? false,
    executeInTransaction: booleanSetting(config, `${p}.executeInTransaction`) ?? true,
    table: text('table', 'flyway_schema_history'),
    defaultSchema: text('defaultSchema', listSetting(config, `${p}.schemas`)?.[0] ?? 'public'),
    environment: text('environment', 'default'),
  };
}

/** `yyyy-MM-dd HH:mm:ss` in local time, as Flyway formats `${flyway:timestamp}`. */
const timestamp = (d: Date) => `${d.getFullYear()}-${`${d.getMonth() + 1}`.padStart(2, '0')}-${`${d.getDate()}`.padStart(2, '0')} ${d.toTimeString().slice(0, 8)}`;

/**
 * Flyway's default placeholders as pgmb can give them before it connects: `flyway:user` is
 * `CURRENT_USER` (PostgreSQL takes it wherever a role is named: GRANT, OWNER TO, AUTHORIZATION);
 * `flyway:database` has no value (the scratch database is named at run time) unless given.
 */
function defaultPlaceholders(file: ToolFile, settings: FlywaySettings): Map<string, string> {
  return new Map([
    ['flyway:defaultschema', settings.defaultSchema],
    ['flyway:user', 'CURRENT_USER'],
    ['flyway:timestamp', timestamp(new Date())],
    ['flyway:filename', basename(file.file)],
    ['flyway:workingdirectory', process.cwd()],
    ['flyway:table', settings.table],
    ['flyway:environment', settings.environment],
  ]);
}

/** Why a placeholder has no value, and how to give one. */
function noValue(name: string, settings: FlywaySettings): string {
  if (/^flyway:database$/i.test(name)) {
    return `\${${name}} is the database Flyway connects to, and pgmb builds your schema in a scratch database it names at run time: pass --placeholder ${name}=NAME to run the statement with NAME`;
  }
  if (/^flyway:/i.test(name)) return `\${${name}} is not one of Flyway's default placeholders (Flyway: "Failed to populate value for default placeholder")`;
  const where = settings.source ? `set it in ${settings.source}` : `set flyway.placeholders.${name} in flyway.conf`;
  return `no value for the placeholder \${${name}} (Flyway would stop: "No value provided for placeholder"): pass --placeholder ${name}=VALUE (or ${where})`;
}

/**
 * The text with Flyway's placeholders replaced, everywhere in it as Flyway's reader does (comments
 * and strings too); names match whatever their case. Values come from --placeholder, then the
 * project's configuration, then Flyway's defaults. Lines stay the file's unless a value spans lines.
 */
function replacePlaceholders(file: ToolFile, text: string, settings: FlywaySettings): string {
  if (!settings.placeholderReplacement) return text;
  const values = defaultPlaceholders(file, settings);
  for (const source of [settings.placeholders, file.options.placeholders]) for (const [k, v] of source) values.set(k.toLowerCase(), v);
  const { placeholderPrefix: prefix, placeholderSuffix: suffix } = settings;
  let out = '';
  let from = 0;
  for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, from)) {
    const end = text.indexOf(suffix, at + prefix.length);
    const name = text.slice(at + prefix.length, end < 0 ? text.length : end);
    const value = values.get(name.toLowerCase());
    if (value === undefined) throw new MigrationFileError({ file: file.path, ...lineCol(text, at) }, noValue(name, settings));
    out += text.slice(from, at) + value;
    from = end < 0 ? text.length : end + suffix.length;
  }
  return out + text.slice(from);
}

/** A script configuration beside the migration (`V9__x.sql.conf`): its `executeInTransaction`, if it sets one. */
function scriptExecuteInTransaction(file: ToolFile): boolean | undefined {
  const config = readConfigFile(`${file.file}.conf`);
  return config && booleanSetting(config, 'executeInTransaction');
}

/** How a migration is named: its file name without `.sql` (`V2.1__add_col`, `R__views`). */
const migrationName = (file: string) => basename(file).replace(/\.sql$/, '');

/** Database kinds other than PostgreSQL, as folder names say them (`migration_mysql`, `db/migration/h2`). */
const OTHER_DATABASE = /(^|[_.-])(h2|hsql|hsqldb|mysql|mariadb|oracle|sqlserver|mssql|sqlite|derby|db2|sybase|snowflake|redshift|informix|firebird|hana|clickhouse|spanner|bigquery)$/i;
const POSTGRES = /^(postgres|postgresql|pg)$/i;

/** A location as Flyway writes it, as a folder: `filesystem:` beside the configuration, `classpath:` (or none) under the module's src/main/resources. */
function locationDir(location: string, base: string, module: string): string | undefined {
  const loc = location.replace(/\{vendor\}/g, 'postgresql');
  if (/[*?]/.test(loc)) return undefined;
  const fs = /^filesystem:(.*)$/i.exec(loc);
  if (fs) return isAbsolute(fs[1]!) ? fs[1]! : join(base, fs[1]!);
  const cp = /^(?:classpath:)?([^:]*)$/i.exec(loc);
  return cp ? join(module, 'src', 'main', 'resources', cp[1]!.replace(/^\/+/, '')) : undefined;
}

/** The locations a module's configuration names, or undefined when it names none (Flyway's defaults then apply); none when Spring's Flyway is disabled. */
function configuredLocations(module: string): string[] | undefined {
  for (const { file, prefix } of configFilesIn(module)) {
    const config = readConfigFile(file);
    if (!config) continue;
    if (booleanSetting(config, `${prefix}.enabled`) === false) return [];
    const locations = listSetting(config, `${prefix}.locations`);
    if (locations?.length) return locations.flatMap((l) => locationDir(l, dirname(file), module) ?? []);
  }
  return undefined;
}

/**
 * Flyway's default locations in a module, and the conventional ones beside them: `db/migration` on
 * its classpath (its `postgresql` vendor folder when it has one per database), siblings named
 * `db/migration_<something>` (conductor's `migration_postgres`, `_notify`, `_data`) unless named for
 * another database, and `db/migration` or `sql` in the module folder itself (the CLI's `filesystem:sql`).
 */
function conventionalLocations(module: string): string[] {
  const db = join(module, 'src', 'main', 'resources', 'db');
  const out: string[] = [];
  if (isDir(db)) {
    for (const name of readdirSync(db).sort()) {
      if (!/^migrations?([_-].*)?$/i.test(name) || OTHER_DATABASE.test(name) || !isDir(join(db, name))) continue;
      const vendors = readdirSync(join(db, name)).filter((v) => (POSTGRES.test(v) || OTHER_DATABASE.test(v)) && isDir(join(db, name, v)));
      for (const v of vendors.length ? vendors.filter((v) => POSTGRES.test(v)) : ['']) out.push(join(db, name, v));
    }
  }
  out.push(join(module, 'db', 'migration'), join(module, 'sql'));
  return out;
}

/**
 * The Flyway histories of a project: each module's locations (from its flyway.conf, flyway.toml or
 * Spring application file, else Flyway's defaults and their conventional siblings), one list per
 * module, holding only folders with Flyway migrations in them. The folders of one list form ONE
 * history: read each with `folder` and order them together with `flywayOrder`.
 */
export function flywayHistories(root: string): string[][] {
  const histories: string[][] = [];
  const taken = new Set<string>();
  for (const module of projectDirs(root)) {
    const locations = configuredLocations(module) ?? conventionalLocations(module);
    const fresh = locations.filter((l) => isDir(l) && !taken.has(resolve(l)) && locationFiles(l).length > 0);
    for (const l of fresh) taken.add(resolve(l));
    if (fresh.length) histories.push(fresh);
  }
  return histories;
}

export const flyway: MigrationTool<'flyway'> = {
  name: 'flyway',
  title: 'Flyway',
  /** A folder with files Flyway takes for migrations, in its subfolders too: those files in Flyway's order. */
  folder: (dir) => {
    const files = locationFiles(dir);
    return files.length ? files : undefined;
  },
  /** In a Flyway location every file is Flyway's: another tool's markers are comments to it. */
  layoutDecides: true,
  ownsName: (file) => flywayName(file) !== undefined,
  /**
   * One migration per file, named by its file name without .sql (the script Flyway's history
   * records, holding both the version and the description); placeholders replaced; outside a
   * transaction by Flyway's rule (flyway-transactions.ts).
   */
  migrations(file) {
    const settings = flywaySettings(file.file);
    const text = replacePlaceholders(file, file.text.replace(/^\uFEFF/, ' '), settings);
    const noTransaction = flywayTransaction(file, text, { mixed: settings.mixed, executeInTransaction: settings.executeInTransaction, script: scriptExecuteInTransaction(file) });
    return [{ name: migrationName(file.file), text, noTransaction }];
  },
  /** Each module's Flyway locations under `root`, a history each (its locations merged by version). */
  histories: flywayHistories,
  orderAcross: flywayOrder,
};
