import { InputError } from '../engine/errors.js';
import type { Location } from './types.js';

export const where = (l: Location) => `${l.file}:${l.line}:${l.col}`;

/** A migration file pgmb cannot read as its tool would: named by file:line:col, before any SQL runs. */
export class MigrationFileError extends InputError {
  constructor(
    readonly location: Location,
    why: string,
  ) {
    super('BAD_MIGRATION', `${where(location)}: ${why}`);
  }
}
