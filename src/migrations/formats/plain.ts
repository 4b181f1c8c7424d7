import { basename } from 'node:path';
import type { MigrationTool } from './format.js';
import { onePerFile } from './shared.js';

/**
 * Plain SQL: every file no other tool claims, in name order; the whole file runs in one transaction.
 * It recognises no folder and claims nothing: the registry hands it what is left.
 */
export const plain: MigrationTool<'plain'> = {
  name: 'plain',
  title: 'plain SQL',
  layoutDecides: false,
  migrations: onePerFile(({ file }) => basename(file)),
};
