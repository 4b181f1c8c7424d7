import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { answersOf, type Answers } from './answers.js';
import { chartTable } from './chart-table.js';
import { buildCharts, type ChartSpec } from './charts.js';
import { caseLabel, safetyHistory, steps, type Release, type Step } from './history.js';
import { escapeHtml } from './html.js';
import { majorsChart, majorsTable, type MajorsTable } from './majors.js';
import { shortReleaseNames } from './names.js';

/** Chart.js's browser bundle, found beside its main file (the package does not export the path). */
function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

/** JSON inside <script>: nothing in the data can close the tag. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

const CSS = `body{font-family:system-ui,sans-serif;margin:1.5rem 2rem;max-width:1180px;color:#222}
h1{margin:0 0 .5rem}
#answers{background:#f4f7fb;border:1px solid #d0dbe8;padding:.25rem 1rem;margin:0 0 1rem}
#answers h2{font-size:1.05rem;margin:.6rem 0 .2rem}#answers p{margin:.2rem 0;line-height:1.35}
.group{margin:2rem 0}.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:1rem 1.5rem}
figure.chart{margin:0}figure.chart h3{font-size:1rem;margin:.5rem 0}canvas{max-height:420px}
details summary{cursor:pointer;color:#2060a0;font-size:.9rem}table.numbers{font-size:.85rem}table.numbers caption{text-align:left;color:#555}
td.num{text-align:right}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
.bad{color:#b00020;font-weight:600}`;

/**
 * One self-contained HTML file: Chart.js inlined, no network needed. The answers come first, in
 * words; then the verdicts, the charts (each with its numbers in a table) and the safety tables.
 */
export function renderReport(inputs: Release[]): string {
  const history = steps(inputs);
  const majors = majorsTable(inputs.flatMap((i) => i.rows));
  const charts = [...buildCharts(inputs, history), ...(majors ? [majorsChart(majors)] : [])];
  const short = shortReleaseNames(inputs.map((i) => i.name));
  const shortOf = (name: string) => short[inputs.findIndex((i) => i.name === name)] ?? name;
  const generated = new Date().toISOString();
  const sources = inputs.map((i) => `${escapeHtml(i.name)} (${i.rows.length} rows${i.rows[0]?.git_sha ? `, git ${escapeHtml(i.rows[0].git_sha)}` : ''}${pgVersions(i.rows)})`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pg-migration-bench report</title>
<style>${CSS}</style></head>
<body>
<h1>pg-migration-bench report</h1>
${answersSection(answersOf(inputs, history, shortOf), inputs.length > 1 ? shortOf(inputs.at(-1)!.name) : '')}
<p>Generated ${generated} from: ${sources.join('; ')}.</p>
${history.length ? stepsTable(history) : ''}
${chartGroups(charts)}
${safetyTable(inputs)}
${majors ? majorsSection(majors) : ''}
<script>${chartJsSource()}</script>
<script>${chartScript(charts)}</script>
</body></html>
`;
}

/** The answers, a heading each: what to use, what changed, what is unsafe. */
function answersSection(a: Answers, last: string): string {
  const part = (title: string, sentences: string[]) => (sentences.length ? `<h2>${escapeHtml(title)}</h2>\n${sentences.map((s) => `<p>${escapeHtml(s)}</p>`).join('\n')}` : '');
  const of = last ? ` in ${last}` : '';
  return `<section id="answers">
${part(`What to use${of}`, a.use)}
${part('What changed', a.changed)}
${part(`What is unsafe beside the writers${of}`, a.unsafe)}
</section>`;
}

/** Charts under their group's heading, side by side; each with its numbers in a table that opens beneath it. */
function chartGroups(charts: ChartSpec[]): string {
  const groups = [...new Set(charts.map((c) => c.group))];
  const figure = (c: ChartSpec) =>
    `<figure class="chart" data-series="${c.datasets.length}">${c.title ? `<h3>${escapeHtml(c.title)}</h3>` : ''}<canvas id="chart-${c.id}"></canvas>
<details><summary>The numbers</summary>${chartTable(c)}</details></figure>`;
  return groups
    .map((g) => {
      const members = charts.filter((c) => c.group === g);
      return `<section class="group"><h2>${escapeHtml(g)}</h2><div class="${members.length > 1 ? 'multiples' : 'single'}">\n${members.map(figure).join('\n')}\n</div></section>`;
    })
    .join('\n');
}

/**
 * Draws the charts. When every chart has drawn, <body> gets data-charts-drawn="N",
 * data-charts-painted="M" (canvases with visible pixels), and where the answers end and the first
 * chart starts (px from the top): a headless browser test reads the first screen from them.
 */
function chartScript(charts: ChartSpec[]): string {
  return `
const charts = ${scriptJson(charts)};
// A log size axis labels 1 and 5 of each decade only: every tick labelled overlaps at 600 px.
const sizeTick = (v) => {
  const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return Math.abs(m - 1) < 1e-6 || Math.abs(m - 5) < 1e-6 ? Number(v).toLocaleString('en-US') : '';
};
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
      plugins: { legend: { labels: { boxWidth: 14, font: { size: 11 } } } },
      scales: { x: { type: c.xScale, title: { display: true, text: c.xTitle }, ticks: c.xScale === 'logarithmic' ? { callback: sizeTick } : {} }, y: { type: c.logScale ? 'logarithmic' : 'linear', title: { display: true, text: c.yTitle }, beginAtZero: !c.logScale } } },
  });
  drawn += 1;
}
const painted = [...document.querySelectorAll('canvas')].filter((cv) => {
  const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
  return false;
}).length;
const pageTop = (el) => (el ? Math.round(el.getBoundingClientRect().top + window.scrollY) : -1);
document.body.dataset.chartsDrawn = String(drawn);
document.body.dataset.chartsPainted = String(painted);
document.body.dataset.answersBottom = String(Math.round(document.getElementById('answers').getBoundingClientRect().bottom + window.scrollY));
document.body.dataset.firstChartTop = String(pageTop(document.querySelector('canvas')));
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
