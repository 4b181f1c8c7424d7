/** The HTML report, opened in headless Chromium: the charts must actually draw. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadRow } from '../../src/results/csv.js';
import { renderReport } from '../../src/results/report.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

const rows = (version: string, factor: number): ReadRow[] =>
  [10_000, 100_000].flatMap((n) => [
    ...['single-update', 'ctid', 'classic'].map((strategy) => ({ suite: 'backfill', case: 'backfill', strategy, rows: String(n), mean_ms: String(n / 100), rows_per_sec: String(100_000 * factor), writer_max_ms: '12', pg_version: '17.10', git_sha: version })),
    { suite: 'index', case: 'create-index-concurrently', strategy: '', rows: String(n), mean_ms: String(n / 1000), writer_max_ms: '8' },
    { suite: 'ddl', case: 'add-column-nullable', strategy: '', rows: String(n), mean_ms: '3', writer_max_ms: '5' },
  ]);

// Chromium comes from Debian's packages (.ci/run installs it). CI must run this test; on a
// workstation without Chromium it is reported as skipped, never silently passed.
const run = CHROMIUM || process.env.CI ? test : test.skip;

run('the report draws every chart in headless Chromium, with two releases side by side', (t) => {
  t.truthy(CHROMIUM, 'Chromium is needed for this test: apt-get install chromium');
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  writeFileSync(file, renderReport([{ name: 'v0.1.0', rows: rows('a', 1) }, { name: 'v0.2.0', rows: rows('b', 1.5) }]));
  const dom = execFileSync(
    CHROMIUM!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--virtual-time-budget=5000', '--dump-dom', `file://${file}`],
    { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  t.regex(dom, /data-charts-drawn="4"/, 'four charts created');
  t.regex(dom, /data-charts-painted="4"/, 'four canvases have pixels on them');
  t.regex(dom, /v0\.1\.0.*v0\.2\.0/s);
});
