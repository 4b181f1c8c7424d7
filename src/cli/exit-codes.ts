/** Exit codes that scripts can trust. */
export const EXIT = {
  ok: 0,
  /** Tests failed, a regression was found, a migration failed. */
  failure: 1,
  /** Bad input: caught before any SQL ran. */
  usage: 2,
  /** The database could not be reached or started. */
  database: 3,
  interrupted: 130,
} as const;
