/** Every error the engine raises on purpose: a one-line message and a stable code for scripts. */
export class MigrationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input, found before any SQL that changes anything has run. */
export class InputError extends MigrationError {}

export class InvalidIdentifierError extends InputError {
  constructor(input: string, why: string) {
    super('INVALID_IDENTIFIER', `invalid identifier ${JSON.stringify(input)}: ${why}`);
  }
}

export class UnknownTableError extends InputError {
  constructor(table: string, hint?: string) {
    super('UNKNOWN_TABLE', `table ${table} does not exist${hint ? `; ${hint}` : ''}`);
  }
}

/** A view, sequence, foreign table...: named by its kind, so the operator sees the mistake. */
export class NotATableError extends InputError {
  constructor(name: string, kind: string) {
    super('NOT_A_TABLE', `${name} is ${kind}; this needs a table (plain, partitioned or with inheritance children)`);
  }
}

export class UnknownColumnError extends InputError {
  constructor(table: string, column: string, hint?: string) {
    super('UNKNOWN_COLUMN', `column ${column} does not exist in table ${table}${hint ? `; ${hint}` : ''}`);
  }
}

export class DuplicateColumnError extends InputError {
  constructor(table: string, column: string) {
    super('DUPLICATE_COLUMN', `column ${column} already exists in table ${table}`);
  }
}

export class UnknownTypeError extends InputError {
  constructor(type: string) {
    super('UNKNOWN_TYPE', `type ${JSON.stringify(type)} does not exist`);
  }
}

export class InvalidValueError extends InputError {
  constructor(value: string, type: string, reason: string) {
    super('INVALID_VALUE', `value ${JSON.stringify(value)} is not a valid ${type}: ${reason}`);
  }
}

export class InvalidOptionError extends InputError {
  constructor(option: string, why: string) {
    super('INVALID_OPTION', `${option}: ${why}`);
  }
}

export class NoPrimaryKeyError extends InputError {
  constructor(table: string, strategy: string) {
    super('NO_PRIMARY_KEY', `table ${table} has no primary key, which the ${strategy} strategy needs; use --strategy ctid`);
  }
}

export class InvalidWhereError extends InputError {
  constructor(where: string, reason: string) {
    super('INVALID_WHERE', `--where ${JSON.stringify(where)} is not a valid condition: ${reason}`);
  }
}

/** DDL could not get its lock within lock_timeout, even after retries. */
export class LockTimeoutError extends MigrationError {
  constructor(what: string, attempts: number, lockTimeoutMs: number) {
    super('LOCK_TIMEOUT', `${what}: could not get the lock within ${lockTimeoutMs} ms, ${attempts} attempts; a long transaction holds the table (see pg_stat_activity), retry when it ends`);
  }
}

/** A unique index cannot be built because the data has duplicates. */
export class DuplicateKeyError extends MigrationError {
  constructor(index: string, detail: string) {
    super('DUPLICATE_KEY', `unique index ${index} cannot be built: ${detail} (the invalid index was dropped)`);
  }
}

/** An index build ended but PostgreSQL marks the index invalid. */
export class InvalidIndexError extends MigrationError {
  constructor(index: string) {
    super('INVALID_INDEX', `index ${index} is INVALID after its build; rerun to drop and rebuild it`);
  }
}

/** A backfill ended with rows still NULL that it should have filled: never reported as done. */
export class IncompleteBackfillError extends MigrationError {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly nullsByRelation: { relation: string; nulls: number }[],
  ) {
    const total = nullsByRelation.reduce((n, r) => n + r.nulls, 0);
    const where = nullsByRelation.map((r) => `${r.relation}: ${r.nulls}`).join(', ');
    super(
      'BACKFILL_INCOMPLETE',
      `backfill of ${table}.${column} is not done: ${total} row(s) that existed when its final sweep began are still NULL (${where}); ` +
        'a trigger, rule or policy may be undoing the writes; a rerun tries again',
    );
  }
}

/** Another backfill of the same table and column holds its advisory lock. */
export class BackfillRunningError extends MigrationError {
  constructor(table: string, column: string, holder: string) {
    super('BACKFILL_RUNNING', `another backfill of ${table}.${column} is running (${holder}); wait for it, or pass --wait to queue behind it`);
  }
}

/** Privileges the run needs and the role lacks: one line each, with the GRANT or the option that avoids it. */
export class MissingPrivilegesError extends InputError {
  constructor(
    readonly role: string,
    readonly missing: { need: string; fix: string }[],
  ) {
    super('MISSING_PRIVILEGES', `role ${role} lacks what this run needs; nothing was changed:\n${missing.map((m) => `  missing ${m.need}: ${m.fix}`).join('\n')}`);
  }
}
