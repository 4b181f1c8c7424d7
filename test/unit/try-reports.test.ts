import test from 'ava';
import { tryMarkdown } from '../../src/cli/try-markdown.js';
import { githubAnnotations, gitlabCodeQuality } from '../../src/cli/try-view.js';
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
});

test("GitLab's code quality report and GitHub's annotations: the same findings, each on its file and line", (t) => {
  const verdicts = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 500);
  const report = gitlabCodeQuality(verdicts) as { check_name: string; severity: string; fingerprint: string; location: { path: string; lines: { begin: number } }; description: string }[];
  t.is(report.length, 1);
  t.like(report[0], { check_name: 'pgmb-try/blocks-writers', severity: 'critical', location: { path: 'db/5_index.sql', lines: { begin: 1 } } });
  t.regex(report[0]!.fingerprint, /^[0-9a-f]{64}$/);
  t.deepEqual(githubAnnotations(verdicts), [`::error file=db/5_index.sql,line=1::${report[0]!.description}`]);
});
