import { basename } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { MigrationTool } from './format.js';
import { findFolders, onePerFile, sqlFiles } from './shared.js';

/** `<version>_<title>.up.sql`: golang-migrate's file name (source/parse.go Regex `^([0-9]+)_(.*)\.(down|up)\.(.*)$`), its up direction. */
const UP_FILE = /^([0-9]+)_.*\.up\.sql$/;

/**
 * The up files of `dir` in golang-migrate's order: by version, read as an unsigned integer
 * (strconv.ParseUint, then sort.Sort on a uint slice: source/migration.go), so 10 follows 9 and 001
 * is 1. Files whose name does not parse are skipped, as its sources skip them; a version twice is
 * refused, as Migrations.Append refuses it.
 */
function upFiles(dir: string): string[] {
  const ups = sqlFiles(dir)
    .flatMap((file) => {
      const m = UP_FILE.exec(basename(file));
      return m ? [{ file, version: BigInt(m[1]!) }] : [];
    })
    .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  const twin = ups.find((u, i) => i > 0 && u.version === ups[i - 1]!.version);
  if (twin) throw new MigrationFileError({ file: twin.file, line: 1, col: 1 }, `version ${twin.version} has two up files: golang-migrate refuses the folder`);
  return ups.map((u) => u.file);
}

/** golang-migrate: `NNN_name.up.sql` beside `NNN_name.down.sql` (dbmate's plain twin looks the same); only the .up.sql files run. */
export const golangMigrate: MigrationTool<'golang-migrate'> = {
  name: 'golang-migrate',
  title: 'golang-migrate',
  folder(dir) {
    const ups = upFiles(dir);
    return ups.length ? ups : undefined;
  },
  layoutDecides: true,
  ownsName: (file) => file.endsWith('.up.sql'),
  /** `1_accounts.up.sql` is `1_accounts`: its version and title. */
  migrations: onePerFile(({ file }) => basename(file).replace(/(\.up)?\.sql$/, '')),
  /**
   * golang-migrate has no config file: the app passes its folder (`file://db/migrations`, an
   * embedded FS). So the folders holding `<version>_<title>.up.sql` files: db/migrations,
   * migrations, backend/resources/migrations/postgres...
   */
  locate: (root) => findFolders(root, (d) => sqlFiles(d).some((f) => UP_FILE.test(basename(f)))),
};
