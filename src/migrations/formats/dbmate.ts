import { basename } from 'node:path';
import type { MigrationTool } from './format.js';
import { onePerFile, upSection, type SectionMarkers } from './shared.js';

const MARKERS: SectionMarkers = { up: /^--\s*migrate:up\b(.*)$/m, down: /^--\s*migrate:down\b/m, upName: '-- migrate:up' };

/** dbmate: `-- migrate:up` and `-- migrate:down` sections in one file; `-- migrate:up transaction:false` runs outside a transaction. */
export const dbmate: MigrationTool<'dbmate'> = {
  name: 'dbmate',
  title: 'dbmate',
  layoutDecides: false,
  claim: (text) => (MARKERS.up.test(text) || MARKERS.down.test(text) ? 'marker' : undefined),
  /** Named by the file, as `dbmate status` lists it. */
  migrations: onePerFile(
    ({ file }) => basename(file),
    ({ path, text }) => {
      const s = upSection(path, text, MARKERS);
      return { text: s.text, noTransaction: /\btransaction:false\b/.test(s.upLine) };
    },
  ),
};
