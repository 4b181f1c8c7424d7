import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildCharts } from './charts.js';
import { caseLabel, safetyHistory, steps, type Release, type Step } from './history.js';
import { majorsChart, majorsTable, type MajorsTable } from './majors.js';

/** Chart.js's browser bundle, found beside its main file (the package does not export the path). */
function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** JSON inside <script>: nothing in the data can close the tag. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/**
 * One self-contained HTML file: Chart.js inlined, no network needed. When every chart has drawn,
 * <body> gets data-charts-drawn="N" and data-charts-painted="M" (canvases with visible pixels).
 */
export function renderReport(inputs: Release[]): string {
  const history = steps(inputs);
  const majors = majorsTable(inputs.flatMap((i) => i.rows));
  const charts = [...buildCharts(inputs, history), ...(majors ? [majorsChart(majors)] : [])];
  const generated = new Date().toISOString();
  const sources = inputs.map((i) => `${escapeHtml(i.name)} (${i.rows.length} rows${i.rows[0]?.git_sha ? `, git ${escapeHtml(i.rows[0].git_sha)}` : ''}${pgVersions(i.rows)})`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pg-migration-bench report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#222}
.chart{margin:2rem 0}canvas{max-height:420px}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
.bad{color:#b00020;font-weight:600}
</style></head>
<body>
<h1>pg-migration-bench report</h1>
<p>Generated ${generated} from: ${sources.join('; ')}.</p>
${history.length ? stepsTable(history) : ''}
${charts.map((c) => `<section class="chart"><h2>${escapeHtml(c.title)}</h2><canvas id="chart-${c.id}"></canvas></section>`).join('\n')}
${safetyTable(inputs)}
${majors ? majorsSection(majors) : ''}
<script>${chartJsSource()}</script>
<script>
const charts = ${scriptJson(charts)};
let drawn = 0;
for (const c of charts) {
  new Chart(document.getElementById('chart-' + c.id), {
    type: c.type,
    data: { labels: c.labels, datasets: c.datasets.map((d) => ({
      label: d.label, data: d.data, spanGaps: true, borderColor: d.color, backgroundColor: d.color, borderDash: d.dash,
      pointRadius: d.steps ? d.steps.map((s) => (s ? 9 : 3)) : 3,
      pointStyle: d.steps ? d.steps.map((s) => (s ? 'triangle' : 'circle')) : 'circle',
      pointBorderColor: d.steps ? d.steps.map((s) => (s ? '#000' : d.color)) : d.color,
    })) },
    options: { animation: false, responsive: true,
      scales: { x: { type: c.xScale, title: { display: true, text: c.xTitle } }, y: { type: c.logScale ? 'logarithmic' : 'linear', title: { display: true, text: c.yTitle }, beginAtZero: !c.logScale } } },
  });
  drawn += 1;
}
const painted = [...document.querySelectorAll('canvas')].filter((cv) => {
  const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
  return false;
}).length;
document.body.dataset.chartsDrawn = String(drawn);
document.body.dataset.chartsPainted = String(painted);
</script>
</body></html>
`;
}

/** The server versions a file's rows were measured on: one, or several for a run across majors. */
function pgVersions(rows: Release['rows']): string {
  const versions = [...new Set(rows.map((r) => r.pg_version).filter(Boolean))];
  return versions.length ? `, PostgreSQL ${versions.map((v) => escapeHtml(v!)).join(', ')}` : '';
}

/** compare's verdicts, each release against the one before it: what the reader sees first. */
function stepsTable(history: Step[]): string {
  const list = (keys: string[]) => (keys.length ? `<span class="bad">${keys.length}</span>: ${keys.map((k) => escapeHtml(caseLabel(k))).join('; ')}` : '0');
  const rows = history.map((s) => {
    const flagged = s.regressions.length + s.moreWork.length + s.complexity.length;
    return `<tr data-to="${escapeHtml(s.to)}" data-flagged="${flagged}"><td>${escapeHtml(s.from)} &rarr; ${escapeHtml(s.to)}</td><td>${list(s.regressions)}</td><td>${list(s.moreWork)}</td><td>${list(s.complexity)}</td><td>${s.inconclusive} of ${s.cases}</td></tr>`;
  });
  return `<h2>Verdicts, release by release</h2>
<table id="verdicts"><tr><th>releases</th><th>time regressions</th><th>more work</th><th>complexity (steeper growth)</th><th>inconclusive</th></tr>
${rows.join('\n')}</table>
<p>A time regression is backed by a t-test over whole runs; more work is read from the operation's own counters; inconclusive means time moved where one run per release cannot tell the build from the machine (results/README.md).</p>`;
}

/** Each operation's worst harm to the simulated writers, per release. */
function safetyTable(releases: Release[]): string {
  const ops = safetyHistory(releases);
  if (!ops.length) return '';
  const cell = (v?: string) => (v === undefined ? '<td></td>' : `<td${v.startsWith('BLOCKED') ? ' class="bad"' : ''}>${escapeHtml(v)}</td>`);
  return `<h2>Safety: the writers beside each operation (worst over the sizes)</h2>
<table id="safety"><tr><th>operation</th>${releases.map((r) => `<th>${escapeHtml(r.name)}</th>`).join('')}</tr>
${ops.map((o) => `<tr><td>${escapeHtml(o.operation)}</td>${o.verdicts.map(cell).join('')}</tr>`).join('\n')}</table>`;
}

/** Lock, rewrite and time of each DDL operation per PostgreSQL major; where a major changed one, marked. */
function majorsSection(t: MajorsTable): string {
  const cell = (c: MajorsTable['cases'][number]['cells'][number]) =>
    c === undefined
      ? '<td>(no such syntax)</td>'
      : `<td${c.changed ? ' class="bad"' : ''}>${escapeHtml(c.lock || 'no lock seen')}${c.rewritten ? ', <b>rewrite</b>' : ''}<br>${c.ms.toFixed(1)} ms${c.changed ? ' (changed)' : ''}</td>`;
  return `<h2>DDL across PostgreSQL majors</h2>
<table id="majors"><tr><th>operation</th>${t.majors.map((m) => `<th>PostgreSQL ${m}</th>`).join('')}</tr>
${t.cases.map((c) => `<tr><td>${escapeHtml(c.name)}</td>${c.cells.map(cell).join('')}</tr>`).join('\n')}</table>
<p>Marked: the lock or the rewrite differs from the major before it, or the operation first exists there.</p>`;
}
