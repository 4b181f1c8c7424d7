import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { MigrationTool } from './format.js';
import { byName, byVersion, findFolders, isDir, onePerFile } from './shared.js';

/*
 * sqlx (`sqlx migrate run`, `sqlx::migrate!()`), read as sqlx-core resolves a folder
 * (sqlx-core/src/migrate/source.rs, resolve_blocking:
 * https://github.com/launchbadge/sqlx/blob/main/sqlx-core/src/migrate/source.rs): files directly in
 * the folder named `<VERSION>_<DESCRIPTION>.sql`, `.up.sql` or `.down.sql` (migration_type.rs), the
 * version the integer before the first `_`, sorted by version; a name without `_` or `.sql` is
 * ignored, a version that is not an integer is an error; `-- no-transaction` as the file's very
 * first characters runs it outside a transaction. Only simple and `.up.sql` files run on `migrate run`.
 */

/** A Cargo.toml that depends on sqlx (`sqlx = ...`, `sqlx.workspace = true`, `[dependencies.sqlx]`). */
const SQLX_DEPENDENCY = /^\s*(?:sqlx\s*[=.]|\[(?:[\w-]+\.)*dependencies\.sqlx\])/m;

/** A crate that uses sqlx: its Cargo.toml names sqlx, or sqlx's own files sit beside it (sqlx.toml, the .sqlx offline cache). */
const isSqlxCrate = (dir: string) =>
  existsSync(join(dir, 'Cargo.toml')) && (SQLX_DEPENDENCY.test(readFileSync(join(dir, 'Cargo.toml'), 'utf8')) || existsSync(join(dir, 'sqlx.toml')) || existsSync(join(dir, '.sqlx')));

/**
 * What tells sqlx's `.up.sql`/`.down.sql` folder from golang-migrate's, which looks the same: a sqlx
 * crate at or above the folder, searched up to the repository root (the folder holding .git). With
 * none, an `.up.sql` folder stays golang-migrate's, as pgmb read it before.
 */
function inSqlxCrate(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (isSqlxCrate(d)) return true;
    if (existsSync(join(d, '.git')) || dirname(d) === d) return false;
  }
}

/** sqlx's name split: the version before the first `_`, and a description that ends in .sql. */
const SQLX_NAME = /^([^_]*)_(.*\.sql)$/s;

/** The migrations `sqlx migrate run` applies from `dir`, in version order (down scripts left out). */
function sqlxFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => SQLX_NAME.test(f) && !f.endsWith('.down.sql') && statSync(join(dir, f)).isFile())
    .sort(byName)
    .map((f) => {
      const head = SQLX_NAME.exec(f)![1]!;
      if (!/^[+-]?\d+$/.test(head))
        throw new MigrationFileError({ file: join(dir, f), line: 1, col: 1 }, 'sqlx reads the version before the first "_" as an integer (e.g. 20240101120000_accounts.sql)');
      return { file: join(dir, f), version: BigInt(head) };
    })
    .sort(byVersion)
    .map((m) => m.file);
}

/** Where sqlx looks in a crate: sqlx.toml's `[migrate] migrations-dir`, else `migrations` (sqlx::migrate!()'s default, beside Cargo.toml). */
function migrationsDir(crate: string): string {
  const config = join(crate, 'sqlx.toml');
  const migrate = existsSync(config) ? /^\s*\[migrate\]([^[]*)/m.exec(readFileSync(config, 'utf8'))?.[1] : undefined;
  const dir = /^\s*migrations-dir\s*=\s*"([^"]*)"/m.exec(migrate ?? '')?.[1] ?? 'migrations';
  return isAbsolute(dir) ? dir : join(crate, dir);
}

/** sqlx: `<version>_<description>.sql`, or `.up.sql` beside `.down.sql`, in a Rust crate that uses sqlx. */
export const sqlx: MigrationTool<'sqlx'> = {
  name: 'sqlx',
  title: 'sqlx',
  folder(dir) {
    if (!inSqlxCrate(dir)) return undefined;
    const files = sqlxFiles(dir);
    return files.length ? files : undefined;
  },
  layoutDecides: true,
  /** A lone file is sqlx's when its folder is in a sqlx crate. */
  ownsName: (file) => SQLX_NAME.test(basename(file)) && inSqlxCrate(dirname(file)),
  /** Named `<version>_<description>`: the version and description sqlx records in _sqlx_migrations, as the file spells them. */
  migrations: onePerFile(
    ({ file }) => basename(file).replace(/(\.up)?\.sql$/, ''),
    ({ text }) => ({ text, noTransaction: text.startsWith('-- no-transaction') }),
  ),
  locate: (root) => findFolders(root, isSqlxCrate).map(migrationsDir).filter(isDir),
};
