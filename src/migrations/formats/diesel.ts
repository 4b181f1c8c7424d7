import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { MigrationTool } from './format.js';
import { findConfigs, findFolders, isDir, onePerFile } from './shared.js';

/**
 * Diesel's version of a migration folder: its name up to the first `_`, dashes removed, so
 * `2017-09-23-182408_x` is `20170923182408` (migrations_internals `version_from_string`,
 * https://github.com/diesel-rs/diesel/blob/master/diesel_migrations/migrations_internals/src/lib.rs).
 */
const versionOf = (folder: string) => folder.split('_')[0]!.replaceAll('-', '');

/** Compared as Rust compares strings (MigrationVersion is a string): code unit by code unit, not as numbers. */
const byVersion = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The migration folders of `dir` in the order Diesel runs them: every non-hidden subfolder is a
 * migration and must hold up.sql (FileBasedMigrations::from_path refuses the directory otherwise),
 * files beside them (a README) are ignored, and pending migrations are sorted by version
 * (MigrationHarness::pending_migrations, diesel_migrations/src/migration_harness.rs). Two folders of
 * one version would be one migration to Diesel (it keys them by version): refused.
 */
function migrationFolders(dir: string): string[] | undefined {
  if (!isDir(dir)) return undefined;
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name);
  const withUp = folders.filter((f) => existsSync(join(dir, f, 'up.sql')));
  if (withUp.length === 0) return undefined;
  const stray = folders.find((f) => !withUp.includes(f));
  if (stray) throw new MigrationFileError({ file: join(dir, stray), line: 1, col: 1 }, 'a folder without up.sql among Diesel migrations: Diesel refuses the whole migrations directory');
  const sorted = withUp.sort((a, b) => byVersion(versionOf(a), versionOf(b)));
  const twin = sorted.find((f, i) => i > 0 && versionOf(f) === versionOf(sorted[i - 1]!));
  if (twin) throw new MigrationFileError({ file: join(dir, twin, 'up.sql'), line: 1, col: 1 }, `version ${versionOf(twin)} twice: Diesel keys migrations by version and would run only one of them`);
  return sorted;
}

/**
 * Whether a migration runs in a transaction, from its metadata.toml: a missing file means yes
 * (TomlMetadata's Default); in a file, the top-level `run_in_transaction` key says, and a file
 * without the key means no (the field is `#[serde(default)] bool`, so false). A value Diesel
 * cannot parse falls back to the default, yes. Not a TOML parser: the key's line is read.
 */
function runsInTransaction(metadata: string | undefined): boolean {
  if (metadata === undefined) return true;
  const topLevel = metadata.split(/^\s*\[/m)[0]!;
  const key = /^\s*run_in_transaction\s*=\s*([^\s#]+)/m.exec(topLevel);
  return key ? key[1] !== 'false' : false;
}

const readIfThere = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

/**
 * The migrations folder a diesel.toml names: `[migrations_directory] dir = "..."`, relative to the
 * file (https://diesel.rs/guides/configuring-diesel-cli, diesel_cli/src/config.rs), else
 * `migrations` beside it, the folder Diesel looks for next to Cargo.toml.
 */
function configuredDir(configDir: string, toml: string): string {
  const section = /^\s*\[migrations_directory\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(toml)?.[1] ?? '';
  const dir = /^\s*dir\s*=\s*(["'])(.*?)\1/m.exec(section)?.[2];
  return join(configDir, dir ?? 'migrations');
}

/**
 * Diesel: `migrations/<version>_<name>/up.sql` (down.sql is the way back, not read), in version
 * order; `run_in_transaction = false` in a metadata.toml beside up.sql runs it outside a transaction.
 */
export const diesel: MigrationTool<'diesel'> = {
  name: 'diesel',
  title: 'Diesel',
  folder: (dir) => migrationFolders(dir)?.map((f) => join(dir, f, 'up.sql')),
  layoutDecides: true,
  ownsName: (file) => basename(file) === 'up.sql',
  /** Named by its folder, as `diesel migration run` prints it; Diesel refuses an empty up.sql. */
  migrations: onePerFile(
    ({ file }) => basename(dirname(resolve(file))),
    ({ path, text, file }) => {
      if (text === '') throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'an empty up.sql: Diesel refuses to run an empty migration');
      return { text, noTransaction: !runsInTransaction(readIfThere(join(dirname(file), 'metadata.toml'))) };
    },
  ),
  /** Each diesel.toml's migrations folder, and `migrations` beside each Cargo.toml when its folders hold up.sql. */
  locate(root) {
    const configured = findConfigs(root, ['diesel.toml']).map(({ dir, text }) => configuredDir(dir, text));
    const beside = findFolders(root, (d) => existsSync(join(d, 'Cargo.toml')))
      .map((d) => join(d, 'migrations'))
      .filter((m) => isDir(m) && readdirSync(m).some((f) => existsSync(join(m, f, 'up.sql'))));
    return [...new Set([...configured.filter(isDir), ...beside])];
  },
};
