import type { ChartSpec } from './charts.js';
import { escapeHtml } from './html.js';

/** A figure in a table: three significant digits at most, thousands grouped. */
export function formatFigure(v: number): string {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Each line's value at an x: a category chart's labels, or a size chart's row counts. */
function rowsOf(chart: ChartSpec): { x: string; values: (number | undefined)[] }[] {
  if (chart.labels) {
    return chart.labels.map((x, i) => ({ x, values: chart.datasets.map((d) => (d.data as (number | null)[])[i] ?? undefined) }));
  }
  const points = chart.datasets.map((d) => new Map((d.data as { x: number; y: number }[]).map((p) => [p.x, p.y])));
  const xs = [...new Set(points.flatMap((p) => [...p.keys()]))].sort((a, b) => a - b);
  return xs.map((x) => ({ x: x.toLocaleString('en-US'), values: points.map((p) => p.get(x)) }));
}

/** The numbers a chart draws, as a table: a row per x, a column per line (the table view beside the chart). */
export function chartTable(chart: ChartSpec): string {
  const head = `<tr><th>${escapeHtml(chart.xTitle)}</th>${chart.datasets.map((d) => `<th>${escapeHtml(d.label)}</th>`).join('')}</tr>`;
  const body = rowsOf(chart).map((r) => `<tr><td>${escapeHtml(r.x)}</td>${r.values.map((v) => `<td class="num">${v === undefined ? '' : formatFigure(v)}</td>`).join('')}</tr>`);
  return `<table class="numbers"><caption>${escapeHtml(chart.yTitle)}</caption>${head}\n${body.join('\n')}</table>`;
}
