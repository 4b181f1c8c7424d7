import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cellsLabel, num, type ReadRow } from './csv.js';
import { CONDITION_COLUMNS } from './row.js';

export interface ReportInput {
  /** A label for the run, e.g. the CSV's file name or its release. */
  name: string;
  rows: ReadRow[];
}

export interface ChartSpec {
  id: string;
  title: string;
  type: 'line' | 'bar';
  xTitle: string;
  yTitle: string;
  /** A log scale where values span orders of magnitude (a blocked writer beside a fine one). */
  logScale?: boolean;
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

const byNumber = (a: string, b: string) => Number(a) - Number(b);
/** A strategy and its conditions, if any: a throttled run is a series of its own. */
const strategyOf = (r: ReadRow) => `${r.strategy ?? ''} ${cellsLabel(r, CONDITION_COLUMNS)}`.trim();

/** One dataset per (file, series), points at the given x labels; a file's runs of a point are averaged. */
function series(inputs: ReportInput[], filter: (r: ReadRow) => boolean, seriesOf: (r: ReadRow) => string, xOf: (r: ReadRow) => string, y: string, sortX?: (a: string, b: string) => number): Pick<ChartSpec, 'labels' | 'datasets'> {
  const labels = [...new Set(inputs.flatMap((i) => i.rows.filter(filter).map(xOf)))].sort(sortX);
  const datasets: ChartSpec['datasets'] = [];
  for (const input of inputs) {
    const rows = input.rows.filter(filter);
    for (const s of [...new Set(rows.map(seriesOf))]) {
      const points = new Map<string, number[]>();
      for (const r of rows.filter((r) => seriesOf(r) === s)) {
        const v = num(r, y);
        if (v !== undefined) points.set(xOf(r), [...(points.get(xOf(r)) ?? []), v]);
      }
      const average = (l: string) => {
        const vs = points.get(l);
        return vs ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
      };
      datasets.push({ label: inputs.length > 1 ? `${input.name}: ${s}` : s, data: labels.map(average) });
    }
  }
  return { labels, datasets };
}

/** The charts a report draws, from the CSV rows alone (pure: tested without a browser). */
export function buildCharts(inputs: ReportInput[]): ChartSpec[] {
  const charts: ChartSpec[] = [
    {
      id: 'backfill',
      title: 'Backfill throughput by table size and strategy',
      type: 'line',
      xTitle: 'rows',
      yTitle: 'rows/s',
      ...series(inputs, (r) => r.suite === 'backfill', strategyOf, (r) => r.rows!, 'rows_per_sec', byNumber),
    },
    {
      id: 'index',
      title: 'Index build time',
      type: 'line',
      xTitle: 'rows',
      yTitle: 'mean ms',
      ...series(inputs, (r) => r.suite === 'index', (r) => r.case!, (r) => r.rows!, 'mean_ms', byNumber),
    },
    {
      id: 'ddl',
      title: 'Schema change time',
      type: 'bar',
      xTitle: 'operation',
      yTitle: 'mean ms',
      ...series(inputs, (r) => r.suite === 'ddl', () => 'mean ms', (r) => r.case!, 'mean_ms'),
    },
    {
      id: 'writers',
      title: 'Worst write latency of the simulated application during each case (log scale)',
      type: 'bar',
      xTitle: 'case',
      yTitle: 'writer max ms',
      logScale: true,
      ...series(inputs, (r) => num(r, 'writer_max_ms') !== undefined, () => 'writer max ms', (r) => `${r.suite} ${r.case} ${strategyOf(r)} ${r.rows}`.replace(/\s+/g, ' '), 'writer_max_ms'),
    },
  ];
  return charts.filter((c) => c.datasets.length > 0);
}

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
export function renderReport(inputs: ReportInput[]): string {
  const charts = buildCharts(inputs);
  const generated = new Date().toISOString();
  const sources = inputs.map((i) => `${escapeHtml(i.name)} (${i.rows.length} rows${i.rows[0]?.git_sha ? `, git ${escapeHtml(i.rows[0].git_sha)}` : ''}${i.rows[0]?.pg_version ? `, PostgreSQL ${escapeHtml(i.rows[0].pg_version)}` : ''})`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pg-migration-bench report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#222}
.chart{margin:2rem 0}canvas{max-height:420px}
</style></head>
<body>
<h1>pg-migration-bench report</h1>
<p>Generated ${generated} from: ${sources.join('; ')}.</p>
${charts.map((c) => `<section class="chart"><h2>${escapeHtml(c.title)}</h2><canvas id="chart-${c.id}"></canvas></section>`).join('\n')}
<script>${chartJsSource()}</script>
<script>
const charts = ${scriptJson(charts)};
let drawn = 0;
for (const c of charts) {
  new Chart(document.getElementById('chart-' + c.id), {
    type: c.type,
    data: { labels: c.labels, datasets: c.datasets.map((d) => ({ ...d, spanGaps: true })) },
    options: { animation: false, responsive: true,
      scales: { x: { title: { display: true, text: c.xTitle } }, y: { type: c.logScale ? 'logarithmic' : 'linear', title: { display: true, text: c.yTitle }, beginAtZero: !c.logScale } } },
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
