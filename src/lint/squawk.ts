import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { statementKey } from '../migrations/location.js';
import type { Statement } from '../migrations/types.js';
import type { LintAgreement } from '../results/verdicts.js';

/** One squawk finding, put on the statement whose lines hold it. */
export interface LintFinding {
  rule: string;
  message: string;
  /** `file:line` of the statement; undefined when the finding is outside every measured statement. */
  statement?: string;
}

/**
 * Rules that claim a statement harms a live table (locks writers, rewrites it): a measurement can
 * confirm or refute these. The rest (naming, timeouts, robustness, types) it cannot.
 */
export const HARM_RULES: ReadonlySet<string> = new Set([
  'require-concurrent-index-creation',
  'require-concurrent-index-deletion',
  'adding-field-with-default',
  'adding-not-nullable-field',
  'adding-required-field',
  'adding-serial-primary-key-field',
  'adding-foreign-key-constraint',
  'changing-column-type',
  'constraint-missing-not-valid',
  'disallowed-unique-constraint',
  'ban-alter-domain-with-add-constraint',
]);

/**
 * Rules that claim a statement can queue all traffic behind itself while it waits for a lock (no
 * lock_timeout): the run behind a long query confirms or refutes these.
 */
export const QUEUE_RULES: ReadonlySet<string> = new Set(['require-timeout-settings']);

interface SquawkJson {
  file: string;
  line: number;
  column: number;
  rule_name: string;
  message: string;
}

export type LintResult = { findings: LintFinding[] } | { unavailable: string };

/**
 * The squawk binary from squawk-cli's platform package (`@squawk-cli/<platform>-<arch>`, an optional
 * dependency: the registry this project installs from carries linux-x64 only), or undefined.
 */
function squawkBin(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(`@squawk-cli/${process.platform}-${process.arch}/bin/squawk${process.platform === 'win32' ? '.exe' : ''}`);
  } catch {
    return undefined;
  }
}

/**
 * Lint the files with squawk for the server's major version and map each finding (squawk counts
 * lines from 0) to the statement that spans its line. A missing or failing binary is reported as
 * unavailable: the measurement does not need it.
 */
export async function lint(files: string[], statements: Statement[], pgMajor: number): Promise<LintResult> {
  const bin = squawkBin();
  if (!bin) return { unavailable: `squawk's binary for ${process.platform}-${process.arch} is not installed (npm i -D @squawk-cli/${process.platform}-${process.arch})` };
  const stdout = await new Promise<string | Error>((resolve) =>
    // squawk exits 1 when it found something: that is its answer, not a failure.
    execFile(bin, ['--reporter', 'json', '--pg-version', String(pgMajor), ...files], { maxBuffer: 16 << 20 }, (err, out) =>
      resolve(out.trim().startsWith('[') ? out : (err ?? new Error(`unexpected output: ${out.slice(0, 200)}`))),
    ),
  );
  if (stdout instanceof Error) return { unavailable: `squawk failed: ${stdout.message.split('\n')[0]}` };
  const raw = JSON.parse(stdout) as SquawkJson[];
  return {
    findings: raw.map((f) => {
      const line = f.line + 1;
      const s = statements.find((st) => sameFile(st.file, f.file) && line >= st.line && line <= st.endLine);
      return { rule: f.rule_name, message: f.message, statement: s ? statementKey(s) : undefined };
    }),
  };
}

/**
 * Statements that have no file of their own (a command's, captured): written one after another to
 * a temporary file for squawk, its findings put back on the statements' own keys.
 */
export async function lintStatements(statements: Statement[], pgMajor: number): Promise<LintResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-lint-'));
  const file = join(dir, 'statements.sql');
  try {
    let line = 1;
    const placed = statements.map((s) => {
      const lines = s.sql.split('\n').length;
      const at = { ...s, file, line, endLine: line + lines - 1 };
      line += lines;
      return at;
    });
    writeFileSync(file, statements.map((s) => `${s.sql};\n`).join(''));
    const result = await lint([file], placed, pgMajor);
    if ('unavailable' in result) return result;
    const own = new Map(placed.map((p, i) => [statementKey(p), statementKey(statements[i]!)]));
    return { findings: result.findings.map((f) => ({ ...f, statement: f.statement && own.get(f.statement) })) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sameFile = (a: string, b: string) => a === b || b.endsWith(`/${a}`) || a.endsWith(`/${b}`);

/** What the measurement saw of a statement's harm to writers (see measuredHarm in the try view). */
export type Harm = 'harm' | 'some' | 'none';

/**
 * Does the measurement back a finding? Harm rules are confirmed by measured harm, refuted by its
 * absence; queue rules the same by the harm measured behind the long query, where it was measured.
 */
export function agreement(rule: string, harm: Harm, queueHarm?: Harm): LintAgreement {
  const seen = HARM_RULES.has(rule) ? harm : QUEUE_RULES.has(rule) ? queueHarm : undefined;
  if (!seen) return 'not measurable';
  return seen === 'harm' ? 'confirmed' : seen === 'some' ? 'seen, under --max-block' : 'refuted';
}
