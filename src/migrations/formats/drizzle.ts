import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { MigrationTool } from './format.js';
import { sqlFiles, onePerFile } from './shared.js';

/**
 * Drizzle: NNNN_name.sql beside meta/_journal.json, statements separated by `--> statement-breakpoint`
 * comments (the parser splits them anyway). In its folder a file's own markers still win.
 */
export const drizzle: MigrationTool<'drizzle'> = {
  name: 'drizzle',
  title: 'Drizzle',
  folder: (dir) => (existsSync(join(dir, 'meta', '_journal.json')) ? sqlFiles(dir) : undefined),
  layoutDecides: false,
  claim: (text) => (/^--> statement-breakpoint/m.test(text) ? 'marker' : undefined),
  /** Named by the file without .sql: the `tag` in meta/_journal.json. */
  migrations: onePerFile(({ file }) => basename(file, '.sql')),
};
