/** The HTML report, opened in headless Chromium: the charts must actually draw. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChartSpec } from '../../src/results/charts.js';
import type { ReadRow } from '../../src/results/csv.js';
import { renderReport } from '../../src/results/report.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** A release's rows: the keyset backfill does `keysetWork` times the rows' work, and as much more time. */
const rows = (version: string, keysetWork: number): ReadRow[] =>
  [10_000, 100_000].flatMap((n) => [
    ...['single-update', 'ctid', 'keyset'].map((strategy) => {
      const factor = strategy === 'keyset' ? keysetWork : 1;
      return {
        run_id: version,
        suite: 'backfill',
        case: 'backfill',
        strategy,
        rows: String(n),
        mean_ms: String((n / 100) * factor),
        rows_per_sec: String(100_000 / factor),
        writer_max_ms: '12',
        pg_version: '17.10',
        git_sha: version,
        work_rows: String(n * factor),
        work_blks_hit: String(n * 6 * factor),
        work_blks_read: '0',
      };
    }),
    { run_id: version, suite: 'index', case: 'create-index', strategy: '', rows: String(n), mean_ms: String(n / 1000), writer_max_ms: String(n / 1000), writer_baseline_p99_ms: '1' },
    { run_id: version, suite: 'index', case: 'create-index-concurrently', strategy: '', rows: String(n), mean_ms: String(n / 1000), writer_max_ms: '8', writer_baseline_p99_ms: '1' },
    { run_id: version, suite: 'ddl', case: 'add-column-nullable', strategy: '', rows: String(n), mean_ms: '3', writer_max_ms: '5', writer_baseline_p99_ms: '1' },
  ]);

// Chromium comes from Debian's packages (.ci/run installs it). CI must run this test; on a
// workstation without Chromium it is reported as skipped, never silently passed.
const run = CHROMIUM || process.env.CI ? test : test.skip;

run(
  'the report for three releases, in headless Chromium at 1280 px: the first screen names what to use and what changed in words; every chart draws, has at most 8 series and its numbers in a table; the step is named at the release where it happened; screenshots are taken',
  (t) => {
    t.truthy(CHROMIUM, 'Chromium is needed for this test: apt-get install chromium');
    const dir = mkdtempSync(join(tmpdir(), 'pgmb-report-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'report.html');
    // v0.2.0 made keyset do 1.5x the work (and take 1.5x the time); v0.3.0 kept it.
    writeFileSync(
      file,
      renderReport([
        { name: 'v0.1.0', rows: rows('a', 1) },
        { name: 'v0.2.0', rows: rows('b', 1.5) },
        { name: 'v0.3.0', rows: rows('c', 1.5) },
      ]),
    );
    const chromium = (extra: string[]) =>
      execFileSync(
        CHROMIUM!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          `--user-data-dir=${join(dir, 'profile')}`,
          '--virtual-time-budget=5000',
          ...extra,
          `file://${file}`,
        ],
        { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
      );
    const dom = chromium(['--dump-dom', '--window-size=1280,900']);
    const charts = JSON.parse(/const charts = (.*);\n/.exec(dom)![1]!) as ChartSpec[];
    // Trends for backfill, index and ddl; throughput per strategy (3), index time per operation (2), ddl time; writers per suite (3).
    t.is(charts.length, 12);
    t.regex(dom, /data-charts-drawn="12"/, 'twelve charts created');
    t.regex(dom, /data-charts-painted="12"/, 'twelve canvases have pixels on them');
    t.true(
      charts.every((c) => c.datasets.length <= 8),
      `at most 8 series a chart: ${charts.map((c) => c.datasets.length).join(', ')}`,
    );
    t.is(dom.match(/<figure class="chart"[^>]*>.*?<canvas.*?<details><summary>The numbers<\/summary><table class="numbers">/gs)?.length, 12, 'each chart has its numbers in a table beside it');

    // The first screen at 1280 px: the answers come right after the title and end above the fold, before any chart.
    t.regex(dom, /<h1>[^<]*<\/h1>\s*<section id="answers">/, 'the answers are the first thing after the title');
    const answersBottom = Number(/data-answers-bottom="(\d+)"/.exec(dom)?.[1]);
    const firstChartTop = Number(/data-first-chart-top="(\d+)"/.exec(dom)?.[1]);
    t.true(answersBottom > 0 && answersBottom <= 900, `the answers end within the first 900 px (at ${answersBottom})`);
    t.true(firstChartTop > answersBottom, 'no chart above the answers');
    const answers = /<section id="answers">(.*?)<\/section>/s.exec(dom)![1]!;
    t.regex(answers, /What to use in v0\.3\.0.*use ctid to backfill: 1\.00x one UPDATE's time, writers' worst wait 12 ms\./s, 'what to use, in words');
    t.regex(answers, /What changed.*Since v0\.2\.0, compare found no time regression, no more work and no steeper growth/s, 'what changed, in words');
    t.regex(answers, /Create-index on the plain table held writers for the whole operation from 100,000 rows/, 'what is unsafe, in words');

    t.regex(dom, /<tr data-to="v0\.2\.0" data-flagged="2">.*backfill keyset .*10,000 rows.*backfill keyset .*100,000 rows/s, 'the step is in v0.2.0, both sizes of keyset named');
    t.regex(dom, /<tr data-to="v0\.3\.0" data-flagged="0">/, 'v0.3.0 kept what v0.2.0 did: no new step');
    t.regex(dom, /<td>index create-index<\/td><td class="bad">BLOCKED writers \(whole operation\)<\/td>/, 'the safety verdicts, per release');
    const firstScreen = join(dir, 'first-screen.png');
    chromium([`--screenshot=${firstScreen}`, '--window-size=1280,900', '--hide-scrollbars']);
    t.true(existsSync(firstScreen) && statSync(firstScreen).size > 20_000, 'a screenshot of the first screen at 1280x900');
    const shot = join(dir, 'report.png');
    chromium([`--screenshot=${shot}`, '--window-size=1280,2400', '--hide-scrollbars']);
    t.true(existsSync(shot) && statSync(shot).size > 20_000, 'a screenshot of the drawn report');
    if (process.env.PGMB_KEEP_SCREENSHOT) {
      copyFileSync(shot, process.env.PGMB_KEEP_SCREENSHOT);
      copyFileSync(firstScreen, process.env.PGMB_KEEP_SCREENSHOT.replace(/(\.png)?$/, '-first-screen.png'));
    }
  },
);
