import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { MigrationTool } from './format.js';
import { onePerFile, sqlFiles } from './shared.js';

/**
 * graphile-migrate: migrations/committed/000001.sql in order (current.sql is work in progress, not
 * run); `--! ` header lines at the top, `--! no-transaction` among them runs the file outside a transaction.
 */
export const graphileMigrate: MigrationTool<'graphile-migrate'> = {
  name: 'graphile-migrate',
  title: 'graphile-migrate',
  folder: (dir) => (existsSync(join(dir, 'committed')) ? sqlFiles(join(dir, 'committed')) : undefined),
  layoutDecides: true,
  /** A `--! ` comment is a looser sign than the other tools' markers: any of those wins over it. */
  claim: (text) => (/^--! /m.test(text.slice(0, 2000)) ? 'hint' : undefined),
  /** Named by the committed file, as its migrations table records it. */
  migrations: onePerFile(
    ({ file }) => basename(file),
    ({ text }) => ({ text, noTransaction: /^--! no-transaction\b/m.test(text) }),
  ),
};
