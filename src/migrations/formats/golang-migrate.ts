import { basename } from 'node:path';
import type { MigrationTool } from './format.js';
import { sqlFiles, onePerFile } from './shared.js';

/** golang-migrate: `NNN_name.up.sql` beside `NNN_name.down.sql` (dbmate's plain twin looks the same); only the .up.sql files run. */
export const golangMigrate: MigrationTool<'golang-migrate'> = {
  name: 'golang-migrate',
  title: 'golang-migrate',
  folder(dir) {
    const ups = sqlFiles(dir).filter((f) => f.endsWith('.up.sql'));
    return ups.length ? ups : undefined;
  },
  layoutDecides: true,
  ownsName: (file) => file.endsWith('.up.sql'),
  /** `1_accounts.up.sql` is `1_accounts`: its version and title. */
  migrations: onePerFile(({ file }) => basename(file).replace(/(\.up)?\.sql$/, '')),
};
