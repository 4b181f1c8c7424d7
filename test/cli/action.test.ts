/** The repository's GitHub Action (action.yml): its step's script, run as the runner would run it. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { refusedWithoutCreatedb, testNeedingCreatedb } from '../helpers/createdb.js';
import { tempDir } from '../helpers/temp-dir.js';

testNeedingCreatedb("action.yml's step: on a pull request's branch it measures the migration the branch adds, fills the job summary and the step's report output, and exits as pgmb does", (t) => {
  const repo = tempDir(t, 'action');
  const git = (...args: string[]) => t.is(spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' }).status, 0);
  writeFileSync(join(repo, '1_accounts.up.sql'), 'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\n');
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'schema');
  git('checkout', '-q', '-b', 'feature');
  // An ACCESS EXCLUSIVE lock held 300 ms until COMMIT: past 100 ms whatever the size.
  writeFileSync(join(repo, '2_add_note.up.sql'), 'ALTER TABLE accounts ADD COLUMN note text;\nSELECT pg_sleep(0.3);\n');
  const summary = join(repo, 'summary.md');
  const output = join(repo, 'output.txt');
  writeFileSync(summary, '');
  writeFileSync(output, '');
  // The inputs as action.yml passes them; PGMB is this checkout's pgmb, as the action's own.
  const env = {
    ...process.env,
    INPUT_PATH: repo,
    INPUT_SIZES: '2k',
    INPUT_MAX_BLOCK: '100ms',
    INPUT_CHANGED_SINCE: 'main',
    INPUT_TOOL: '',
    INPUT_TARGET_ROWS: '',
    PGMB: `${process.execPath} ${resolve('bin/pgmb.js')}`,
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    RUNNER_TEMP: repo,
  };
  const r = spawnSync('bash', ['action/pgmb-try.sh'], { env, encoding: 'utf8', timeout: 300_000 });
  refusedWithoutCreatedb(r);
  t.is(r.status, EXIT.failure, `the transaction holds readers and writers past 100ms: ${r.stdout}${r.stderr}`);
  t.regex(r.stdout, /^::error file=.*2_add_note\.up\.sql,line=1::pgmb try: ALTER TABLE ADD COLUMN blocks readers and writers/m);
  t.regex(readFileSync(summary, 'utf8'), /^### pgmb try: FAIL: 1 of 1 transaction\(s\) hold readers and writers >= 100 ms at 2k rows/);
  const out = readFileSync(output, 'utf8');
  t.regex(out, /^report<<PGMB_REPORT\n### pgmb try: FAIL/);
  t.notRegex(out, /1_accounts/, 'the migration on main built the schema and was not measured');
  const sarifFile = /^sarif=(.+)$/m.exec(out)?.[1];
  const sarif = JSON.parse(readFileSync(sarifFile!, 'utf8')) as {
    runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
  };
  t.like(sarif.runs[0]!.results[0], { ruleId: 'pgmb-try/blocks-readers-and-writers' });
  t.regex(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, /2_add_note\.up\.sql$/);
  t.regex(readFileSync('action.yml', 'utf8'), /run: bash "\$GITHUB_ACTION_PATH\/action\/pgmb-try\.sh"/, 'the script tested is the one the action runs');
});
