import { cellsLabel, num, type ReadRow } from './csv.js';
import { mean } from '../core/numbers.js';
import { caseKey, seriesKey } from './compare.js';
import { caseLabel, type Release, type Step } from './history.js';
import { CONDITION_COLUMNS } from './row.js';

export interface DatasetSpec {
  label: string;
  /** Category charts: one value per label; size charts: points at their row counts. */
  data: (number | null)[] | { x: number; y: number }[];
  color: string;
  /** The release's line style (Chart.js borderDash): the last release solid, older ones dashed. */
  dash: number[];
  /** Per point: compare found a step at this release (drawn large, as a triangle). */
  steps?: boolean[];
}

export interface ChartSpec {
  id: string;
  title: string;
  type: 'line' | 'bar';
  xTitle: string;
  yTitle: string;
  /** Table sizes span orders of magnitude: a log axis; names and releases: categories. */
  xScale: 'category' | 'logarithmic';
  /** A log y scale where values span orders of magnitude (a blocked writer beside a fine one). */
  logScale?: boolean;
  labels?: string[];
  datasets: DatasetSpec[];
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const DASHES = [[], [8, 4], [2, 3], [12, 4, 2, 4], [4, 4]];

/** Colours by name, the same in every chart and every release, so the eye can follow one thing. */
class Colours {
  private readonly seen = new Map<string, string>();
  of(name: string): string {
    if (!this.seen.has(name)) this.seen.set(name, PALETTE[this.seen.size % PALETTE.length]!);
    return this.seen.get(name)!;
  }
}

/** The last release solid; older ones dashed, each its own way. */
const dashOf = (releases: Release[], i: number) => DASHES[(releases.length - 1 - i) % DASHES.length]!;

/** Chart.js draws a gap for null. */
const average = (xs: number[]) => mean(xs) ?? null;
/** A strategy with its vacuum policy and conditions: a throttled run is a series of its own. */
const strategyOf = (r: ReadRow) => `${r.strategy ?? ''} ${cellsLabel(r, ['vacuum', ...CONDITION_COLUMNS])}`.trim();
const caseOf = (r: ReadRow) => `${r.case} ${cellsLabel(r, CONDITION_COLUMNS)}`.trim();
/** What one line follows, in every chart: a backfill strategy, or an operation. */
const seriesName = (r: ReadRow) => (r.suite === 'backfill' ? strategyOf(r) : caseOf(r));

/** One line per (release, series) over table sizes, on a log axis; a release's runs of a point are averaged. */
function bySize(releases: Release[], colours: Colours, filter: (r: ReadRow) => boolean, seriesOf: (r: ReadRow) => string, y: string): DatasetSpec[] {
  return releases.flatMap((release, i) => {
    const rows = release.rows.filter(filter);
    return [...new Set(rows.map(seriesOf))].map((s) => {
      const sizes = [...new Set(rows.filter((r) => seriesOf(r) === s).map((r) => Number(r.rows)))].sort((a, b) => a - b);
      const data = sizes.flatMap((x) => {
        const v = average(rows.filter((r) => seriesOf(r) === s && Number(r.rows) === x).flatMap((r) => num(r, y) ?? []));
        return v === null ? [] : [{ x, y: v }];
      });
      return { label: releases.length > 1 ? `${release.name}: ${s}` : s, data, color: colours.of(s), dash: dashOf(releases, i) };
    });
  });
}

/** One bar per release at each label. */
function byLabel(releases: Release[], colours: Colours, filter: (r: ReadRow) => boolean, labelOf: (r: ReadRow) => string, y: string, seriesName: string): Pick<ChartSpec, 'labels' | 'datasets'> {
  const labels = [...new Set(releases.flatMap((rel) => rel.rows.filter(filter).map(labelOf)))];
  const datasets = releases
    .map((release, i) => {
      const rows = release.rows.filter(filter);
      const data = labels.map((l) => average(rows.filter((r) => labelOf(r) === l).flatMap((r) => num(r, y) ?? [])));
      return {
        label: releases.length > 1 ? `${release.name}: ${seriesName}` : seriesName,
        data,
        color: colours.of(releases.length > 1 ? `release ${release.name}` : seriesName),
        dash: dashOf(releases, i),
      };
    })
    .filter((d) => d.data.some((v) => v !== null));
  return { labels, datasets };
}

/**
 * Per suite, each case's mean time across the releases, at the largest size its series was
 * measured at; the releases where compare found a step for the case are marked.
 */
function trends(releases: Release[], steps: Step[], colours: Colours): ChartSpec[] {
  const suites = [...new Set(releases.flatMap((r) => r.rows.map((x) => x.suite!)))];
  return suites.map((suite) => {
    const rows = releases.flatMap((r) => r.rows.filter((x) => x.suite === suite));
    const largest = new Map<string, number>();
    for (const r of rows) {
      const s = seriesKey(r);
      largest.set(s, Math.max(largest.get(s) ?? 0, Number(r.rows)));
    }
    const keys = [...new Set(rows.filter((r) => Number(r.rows) === largest.get(seriesKey(r))).map(caseKey))];
    const datasets = keys.map((key) => {
      const first = rows.find((r) => caseKey(r) === key)!;
      const data = releases.map((rel) => average(rel.rows.filter((r) => caseKey(r) === key).flatMap((r) => num(r, 'mean_ms') ?? [])));
      const flagged = releases.map((_, i) => {
        const step = steps[i - 1];
        return step !== undefined && [...step.regressions, ...step.moreWork, ...step.complexity].includes(key);
      });
      return { label: caseLabel(key), data, color: colours.of(seriesName(first)), dash: [], steps: flagged };
    });
    return {
      id: `trend-${suite}`,
      title: `${suite}: mean time across releases (largest size of each case; a triangle marks a step compare found)`,
      type: 'line' as const,
      xTitle: 'release',
      yTitle: 'mean ms',
      xScale: 'category' as const,
      logScale: true,
      labels: releases.map((r) => r.name),
      datasets,
    };
  });
}

/** The worst latency of the simulated writers or readers during each case, one bar per release (none in CSVs without the column). */
function worstLatency(releases: Release[], colours: Colours, who: 'writer' | 'reader'): ChartSpec {
  const column = `${who}_max_ms`;
  return {
    id: `${who}s`,
    title: `Worst ${who === 'writer' ? 'write' : 'read'} latency of the simulated application during each case (log scale)`,
    type: 'bar',
    xTitle: 'case',
    yTitle: `${who} max ms`,
    xScale: 'category',
    logScale: true,
    ...byLabel(
      releases,
      colours,
      (r) => num(r, column) !== undefined,
      (r) => `${r.suite} ${r.case} ${strategyOf(r)} ${r.rows}`.replace(/\s+/g, ' '),
      column,
      `${who} max ms`,
    ),
  };
}

/** The charts a report draws, from the CSV rows alone (pure: tested without a browser). */
export function buildCharts(releases: Release[], steps: Step[] = []): ChartSpec[] {
  const colours = new Colours();
  const charts: ChartSpec[] = [
    ...(releases.length > 1 ? trends(releases, steps, colours) : []),
    {
      id: 'backfill',
      title: 'Backfill throughput by table size and strategy',
      type: 'line',
      xTitle: 'rows (log scale)',
      yTitle: 'rows/s',
      xScale: 'logarithmic',
      datasets: bySize(releases, colours, (r) => r.suite === 'backfill', seriesName, 'rows_per_sec'),
    },
    {
      id: 'index',
      title: 'Index build time',
      type: 'line',
      xTitle: 'rows (log scale)',
      yTitle: 'mean ms',
      xScale: 'logarithmic',
      datasets: bySize(releases, colours, (r) => r.suite === 'index', seriesName, 'mean_ms'),
    },
    {
      id: 'ddl',
      title: 'Schema change time',
      type: 'bar',
      xTitle: 'operation',
      yTitle: 'mean ms',
      xScale: 'category',
      ...byLabel(
        releases,
        colours,
        (r) => r.suite === 'ddl',
        (r) => r.case!,
        'mean_ms',
        'mean ms',
      ),
    },
    worstLatency(releases, colours, 'writer'),
    worstLatency(releases, colours, 'reader'),
  ];
  return charts.filter((c) => c.datasets.length > 0);
}
