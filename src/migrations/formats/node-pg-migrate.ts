import { basename } from 'node:path';
import type { MigrationTool } from './format.js';
import { onePerFile, upSection, type SectionMarkers } from './shared.js';

const MARKERS: SectionMarkers = { up: /^--\s*Up Migration\b/im, down: /^--\s*Down Migration\b/im, upName: '-- Up Migration' };

/** node-pg-migrate's SQL files: `-- Up Migration` and `-- Down Migration` sections. */
export const nodePgMigrate: MigrationTool<'node-pg-migrate'> = {
  name: 'node-pg-migrate',
  title: 'node-pg-migrate',
  layoutDecides: false,
  claim: (text) => (MARKERS.up.test(text) || MARKERS.down.test(text) ? 'marker' : undefined),
  /** Named by the file without .sql, as its pgmigrations table records it. */
  migrations: onePerFile(
    ({ file }) => basename(file, '.sql'),
    ({ path, text }) => ({ text: upSection(path, text, MARKERS).text, noTransaction: false }),
  ),
};
