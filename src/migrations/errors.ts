import { InputError } from '../core/errors.js';
import { where, type Location } from './location.js';

/** A migration file pgmb cannot read as its tool would: named by file:line:col, before any SQL runs. */
export class MigrationFileError extends InputError {
  constructor(
    readonly location: Location,
    why: string,
  ) {
    super('BAD_MIGRATION', `${where(location)}: ${why}`);
  }
}
