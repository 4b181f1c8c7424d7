import { readFileSync } from 'node:fs';
import test from 'ava';
import { createRequire } from 'node:module';
import { trySarif } from '../../src/cli/try-sarif.js';
import { tryMarkdown } from '../../src/cli/try-markdown.js';
import { fromRoot, githubAnnotations, gitlabCodeQuality } from '../../src/cli/try-view.js';
import { tryVerdicts, type SizeRun } from '../../src/try/verdict.js';

const run = (rows: number, scale: number): SizeRun => ({
  rows,
  statements: [
    { key: 'db/5_index.sql:1', kind: 'CREATE INDEX', ms: 80 * scale, lock: 'ShareLock', rewritten: false, heldMs: 78 * scale, readersHeldMs: 2 },
    { key: 'db/6_concurrently.sql:1', kind: 'CREATE INDEX CONCURRENTLY', ms: 120 * scale, lock: 'ShareUpdateExclusiveLock', rewritten: false, heldMs: 3, readersHeldMs: 2 },
  ],
  groups: [
    { key: 'db/5_index.sql:1', statements: ['db/5_index.sql:1'], inTransaction: true, ms: 80 * scale, holder: 'db/5_index.sql:1', holdMs: 80 * scale, heldMs: 78 * scale },
    { key: 'db/6_concurrently.sql:1', statements: ['db/6_concurrently.sql:1'], inTransaction: false, ms: 120 * scale, heldMs: 3 },
  ],
});

test('the PR report: the verdict first, a line per migration file with its worst verdict, each statement folded with its figures and lint, what to do last', (t) => {
  const verdicts = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 500);
  const lint = { findings: [{ rule: 'require-concurrent-index-creation', message: '', statement: 'db/5_index.sql:1' }] };
  const md = tryMarkdown({
    pgMajor: 17,
    target: { rows: 1_000_000, from: 'largest size' },
    verdicts,
    sizes: [100_000, 1_000_000],
    lint,
    appended: 0,
    settings: { session: [['maintenance_work_mem', '1GB']], unmatched: [] },
  });
  const lines = md.split('\n');
  t.is(lines[0], '### pgmb try: FAIL: 1 of 2 transaction(s) hold writers >= 500 ms at 1m rows');
  t.regex(md, /Target 1,000,000 rows \(largest size\); measured at 100k, 1m rows on PostgreSQL 17; --max-block 500 ms; session settings maintenance_work_mem=1GB/);
  t.true(lines.includes('| `db/5_index.sql` | **blocks writers** | 1 |'));
  t.true(lines.includes('| `db/6_concurrently.sql` | ok | 1 |'));
  t.regex(
    md,
    /<details><summary><code>db\/5_index\.sql:1<\/code> CREATE INDEX: <b>blocks writers<\/b><\/summary>\n\nits ShareLock held writers 780 ms\.\n\n- lock ShareLock; 100k: 80 ms, 1m: 800 ms; at 1m: 800 ms\n- writers held 780 ms, readers held 2 ms\n- lint \(squawk\): require-concurrent-index-creation: confirmed\n\n<\/details>/,
  );
  t.regex(md, /- \*\*blocks writers\*\*: build indexes CONCURRENTLY/);

  // A statement a command ran in a loop: how often, its rows, and its text, since no file holds it.
  const loop = (rows: number): SizeRun => ({
    rows,
    statements: [
      {
        key: 'accounts.0002_bump:1',
        kind: 'UPDATE',
        sql: 'UPDATE accounts SET score = score + 1 WHERE id IN (1, 2)',
        ms: rows / 100,
        lock: 'RowExclusiveLock',
        rewritten: false,
        heldMs: 3,
        executions: rows / 1000,
        rows,
      },
    ],
    groups: [{ key: 'accounts.0002_bump:1', statements: ['accounts.0002_bump:1'], inTransaction: false, ms: rows / 100, heldMs: 3 }],
  });
  const coded = tryMarkdown({
    pgMajor: 17,
    target: { rows: 20_000, from: 'largest size' },
    verdicts: tryVerdicts([loop(10_000), loop(20_000)], 20_000, 500),
    sizes: [10_000, 20_000],
    lint: undefined,
    appended: 0,
    settings: { session: [], unmatched: [] },
  });
  t.regex(coded, /- run 20 times at 20k \(a loop\), rows 10k: 10,000, 20k: 20,000\n\n```sql\nUPDATE accounts SET score = score \+ 1 WHERE id IN \(1, 2\)\n```/);

  // A passing run: the verdict line says OK, every file ok, nothing to do.
  const passing = tryMarkdown({
    pgMajor: 17,
    target: { rows: 1_000_000, from: 'largest size' },
    verdicts: tryVerdicts([run(100_000, 0.01), run(1_000_000, 0.1)], 1_000_000, 500),
    sizes: [100_000, 1_000_000],
    lint: undefined,
    appended: 0,
    settings: { session: [], unmatched: [] },
  });
  t.regex(passing.split('\n')[0]!, /^### pgmb try: OK: /);
  t.true(passing.includes('| `db/5_index.sql` | ok | 1 |'));
  t.notRegex(passing, /what to do|\*\*blocks/);
});

test("GitLab's code quality report and GitHub's annotations: the same findings, each on its file and line", (t) => {
  const verdicts = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 500);
  const report = gitlabCodeQuality(verdicts) as { check_name: string; severity: string; fingerprint: string; location: { path: string; lines: { begin: number } }; description: string }[];
  t.is(report.length, 1);
  t.like(report[0], { check_name: 'pgmb-try/blocks-writers', severity: 'critical', location: { path: 'db/5_index.sql', lines: { begin: 1 } } });
  t.regex(report[0]!.fingerprint, /^[0-9a-f]{64}$/);
  t.deepEqual(githubAnnotations(verdicts), [`::error file=db/5_index.sql,line=1::${report[0]!.description}`]);
  // A passing run: nothing to report on any line.
  const passing = tryVerdicts([run(100_000, 0.01), run(1_000_000, 0.1)], 1_000_000, 500);
  t.deepEqual(gitlabCodeQuality(passing), []);
  t.deepEqual(githubAnnotations(passing), []);
});

// ajv-draft-04 is CommonJS: required, its class is the module itself.
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as new (options: Record<string, boolean>) => { compile(schema: object): Validate };
/** The SARIF 2.1.0 schema (test/schemas/README.md says where it comes from), draft-04 as published: its language pattern is not valid with the u flag; formats (uri) are not checked. */
const sarifSchema = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false }).compile(JSON.parse(readFileSync('test/schemas/sarif-2.1.0-rtm.5.json', 'utf8')));

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; help: { text: string } }[] } };
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } }; logicalLocations?: { name: string }[] }[];
    }[];
  }[];
}

test('SARIF 2.1.0 for code scanning: schema-valid for a failing and a passing run, each failing statement on its file and line relative to the project root, a rule per verdict with what to do', (t) => {
  const index = 'examples/golang-migrate/3_email_index.up.sql';
  const failingRun = (rows: number, scale: number): SizeRun => {
    const r = run(rows, scale);
    return {
      ...r,
      statements: r.statements.map((s, i) => (i === 0 ? { ...s, key: `${index}:1` } : s)),
      groups: r.groups.map((g, i) => (i === 0 ? { ...g, key: `${index}:1`, statements: [`${index}:1`], holder: `${index}:1` } : g)),
    };
  };
  const failing = trySarif(tryVerdicts([failingRun(100_000, 1), failingRun(1_000_000, 10)], 1_000_000, 500)) as SarifLog;
  t.true(sarifSchema(failing), JSON.stringify(sarifSchema.errors));
  const [result] = failing.runs[0]!.results;
  t.like(result, { ruleId: 'pgmb-try/blocks-writers', level: 'error' });
  t.deepEqual(result!.locations[0]!.physicalLocation, { artifactLocation: { uri: index, uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } });
  t.regex(failing.runs[0]!.tool.driver.rules[0]!.help.text, /build indexes CONCURRENTLY/);

  // A statement of a --command migration has no file of its own: it is named, not placed.
  const command = trySarif(tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 500)) as SarifLog;
  t.true(sarifSchema(command), JSON.stringify(sarifSchema.errors));
  t.deepEqual(command.runs[0]!.results[0]!.locations[0]!.logicalLocations, [{ name: 'db/5_index.sql:1', kind: 'module' }]);

  const passing = trySarif(tryVerdicts([run(100_000, 0.01), run(1_000_000, 0.1)], 1_000_000, 500)) as SarifLog;
  t.true(sarifSchema(passing), JSON.stringify(sarifSchema.errors));
  t.deepEqual(passing.runs[0]!.results, []);
  // The check can fail: a log of another version is refused.
  t.false(sarifSchema({ ...passing, version: '2.0.0' }));
});

test("the table's file headings are paths from the project root given; a file outside it, or no root, as given", (t) => {
  t.is(fromRoot('../steering/shop/prisma/migrations/19_add_session_replay/migration.sql', '../steering/shop'), 'prisma/migrations/19_add_session_replay/migration.sql');
  t.is(fromRoot('/elsewhere/db/1_a.sql', '.'), '/elsewhere/db/1_a.sql');
  t.is(fromRoot('db/1_a.sql', undefined), 'db/1_a.sql');
});
