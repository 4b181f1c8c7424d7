import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { MigrationTool } from './format.js';
import { findFolders, isDir, onePerFile } from './shared.js';

/*
 * Supabase CLI (`supabase db push`, `supabase migration up`), read as its migration package lists and
 * runs a folder (https://github.com/supabase/cli, pkg/migration/list.go and file.go):
 * `supabase/migrations/` beside `supabase/config.toml`; the folder's entries in file-name order (Go's
 * fs.ReadDir sorts by name: plain text order, not numeric); only names matching
 * `^([0-9]+)_(.*)\.sql$` run (others are skipped with a warning), and a first entry
 * `<timestamp>_init.sql` older than 20211209000000 is skipped; each file runs as one batch, "implicitly
 * transactional" (ExecBatch): one transaction per file. (Since CLI v2.109.0 statements that cannot run
 * in a transaction, such as CREATE INDEX CONCURRENTLY, are taken out of the batch and run alone,
 * https://github.com/supabase/cli/pull/6276: pgmb runs a file holding one statement by statement.)
 */

/** pkg/migration/file.go: migrateFilePattern. */
const MIGRATION_NAME = /^([0-9]+)_(.*)\.sql$/;
/** pkg/migration/list.go: the deprecated first `<timestamp>_init.sql` of old CLI versions. */
const OLD_INIT = /([0-9]{14})_init\.sql/;

/** The migrations folder of a `supabase` folder (the one holding config.toml), or undefined. */
function migrationsOf(supabaseDir: string): string | undefined {
  const dir = join(supabaseDir, 'migrations');
  return existsSync(join(supabaseDir, 'config.toml')) && isDir(dir) ? dir : undefined;
}

/** Given `supabase/migrations` or `supabase` itself: the migrations folder, when config.toml says this is a Supabase project. */
function supabaseMigrations(dir: string): string | undefined {
  if (basename(dir) === 'supabase') return migrationsOf(dir);
  return basename(dir) === 'migrations' && basename(dirname(dir)) === 'supabase' ? migrationsOf(dirname(dir)) : undefined;
}

/** The files `supabase db push` applies, in its order. */
function supabaseFiles(dir: string): string[] {
  const entries = readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const old = OLD_INIT.exec(entries[0] ?? '');
  const skipFirst = old !== null && Number(old[1]) < 20211209000000;
  return entries.filter((name, i) => !(i === 0 && skipFirst) && MIGRATION_NAME.test(name) && statSync(join(dir, name)).isFile()).map((name) => join(dir, name));
}

/** Supabase CLI: `supabase/migrations/<timestamp>_<name>.sql`, each file in one transaction. */
export const supabase: MigrationTool<'supabase'> = {
  name: 'supabase',
  title: 'Supabase CLI',
  folder(dir) {
    const migrations = supabaseMigrations(dir);
    return migrations === undefined ? undefined : supabaseFiles(migrations);
  },
  layoutDecides: true,
  /** A lone file is Supabase's when it sits in a Supabase project's migrations folder under its own name pattern. */
  ownsName: (file) => MIGRATION_NAME.test(basename(file)) && supabaseMigrations(dirname(file)) !== undefined,
  /** Named `<timestamp>_<name>`: the version and name the CLI records in supabase_migrations.schema_migrations. */
  migrations: onePerFile(({ file }) => basename(file, '.sql')),
  locate: (root) => findFolders(root, (dir) => basename(dir) === 'supabase' && migrationsOf(dir) !== undefined).map((dir) => join(dir, 'migrations')),
};
