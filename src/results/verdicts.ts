import { maxOf } from '../core/numbers.js';

/**
 * Every word `pgmb try` judges with: what it means and what to do about it. The one catalogue of
 * verdicts (eugene's hint catalogue is the model): the terminal, the JSON, `--help` and the README
 * use these words and no others. A new verdict is one entry here.
 */
export interface VerdictEntry {
  /** Where the word is used: a statement's or transaction's verdict, or a lint finding's agreement with the measurement. */
  of: 'statement' | 'lint';
  means: string;
  /** What to do when it shows; nothing for a word that needs nothing done. */
  todo?: string;
}

export const VERDICTS = {
  ok: { of: 'statement', means: 'writers and readers were held less than --max-block at the target size, quiet and behind the long query' },
  'blocks writers': {
    of: 'statement',
    means: 'its transaction held a lock writers wait for (or the rows they write) for --max-block or longer at the target size',
    todo: 'build indexes CONCURRENTLY, add constraints NOT VALID then VALIDATE them, backfill in batches (pgmb backfill), and give a lock-taking statement a transaction of its own',
  },
  'blocks readers and writers': {
    of: 'statement',
    means: 'its transaction held ACCESS EXCLUSIVE, or queued for it behind a long query with every read and write of the table queued behind it, for --max-block or longer at the target size',
    todo: 'SET lock_timeout (a few seconds at most) before it and let the tool retry, so it gives up waiting instead of stopping all traffic; keep the transaction short; run it when no long query holds the table',
  },
  'times out behind a long query': {
    of: 'statement',
    means: 'lock_timeout ended its wait behind the long query: traffic was held at most the timeout, but the deploy fails there unless the tool retries',
    todo: 'let the tool retry on lock_timeout (--retries N shows how many attempts it takes), or deploy when no long query holds the table',
  },
  failed: {
    of: 'statement',
    means: 'the server refused the statement on the synthetic rows',
    todo: "where production's rows would pass, give the column a value that fits with --value table.column=SQL; otherwise it fails in production too",
  },
  'deadlocks with writers': {
    of: 'statement',
    means:
      'it and the simulated writers waited on each other (it held rows they wanted, then asked for a lock they held): PostgreSQL cancelled the migration, as it would cancel one side in production',
    todo: 'take the strongest lock first (LOCK TABLE at the start of the transaction), or put the row updates and the schema change in transactions of their own',
  },
  confirmed: { of: 'lint', means: 'a lint rule warned of harm to writers, and the measurement saw it' },
  'seen, under --max-block': { of: 'lint', means: 'a lint rule warned of harm, and writers were held, but less than --max-block' },
  refuted: { of: 'lint', means: 'a lint rule warned of harm, and writers were not held at all on these rows' },
  'not measurable': { of: 'lint', means: 'a style or robustness rule: nothing a measurement can confirm' },
  'missed by lint': { of: 'lint', means: 'the measurement saw harm that no lint rule named', todo: 'trust the measurement: the statement blocks writers whatever the linter says' },
} as const satisfies Record<string, VerdictEntry>;

export type VerdictWord = keyof typeof VERDICTS;
type WordsOf<K extends VerdictEntry['of']> = { [W in VerdictWord]: (typeof VERDICTS)[W]['of'] extends K ? W : never }[VerdictWord];
/** A statement's or transaction's verdict. */
export type StatementVerdictWord = WordsOf<'statement'>;
/** What the measurement says of a lint finding. */
export type LintAgreement = Exclude<WordsOf<'lint'>, 'missed by lint'>;

/** The catalogue as lines for --help: `  word  what it means`. */
export function verdictHelp(): string {
  const words = Object.keys(VERDICTS) as VerdictWord[];
  const width = maxOf(words.map((w) => w.length))!;
  return words.map((w) => `  ${w.padEnd(width)}  ${VERDICTS[w].means}`).join('\n');
}
