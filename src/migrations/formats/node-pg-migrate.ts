import { basename } from 'node:path';
import type { MigrationTool } from './format.js';
import { upSection, type SectionMarkers } from './shared.js';

const MARKERS: SectionMarkers = { up: /^--\s*Up Migration\b/im, down: /^--\s*Down Migration\b/im, upName: '-- Up Migration' };

/** node-pg-migrate's SQL files: `-- Up Migration` and `-- Down Migration` sections. */
export const nodePgMigrate: MigrationTool<'node-pg-migrate'> = {
  name: 'node-pg-migrate',
  title: 'node-pg-migrate',
  layoutDecides: false,
  claim: (text) => (MARKERS.up.test(text) || MARKERS.down.test(text) ? 'marker' : undefined),
  upPart: ({ path, text }) => ({ text: upSection(path, text, MARKERS).text, noTransaction: false }),
  /** The file name without .sql, as its pgmigrations table records it. */
  migrationName: ({ file }) => basename(file, '.sql'),
};
