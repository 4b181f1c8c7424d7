import { mean } from '../core/numbers.js';
import { Colours, releaseColour } from './colours.js';
import { caseKey, seriesKey } from './compare.js';
import { num, type ReadRow } from './csv.js';
import type { Release, Step } from './history.js';
import { layoutName, namer, rowsLabel, shortReleaseNames } from './names.js';

/** More lines than this and the legend outgrows the plot: a chart with more is cut into parts. */
export const MAX_SERIES = 8;

export interface DatasetSpec {
  label: string;
  /** Category charts: one value per label; size charts: points at their row counts. */
  data: (number | null)[] | { x: number; y: number }[];
  color: string;
  /** The layout's line style (Chart.js borderDash): the plain table solid, a partitioned one dashed. */
  dash: number[];
  /** Per point: compare found a step at this release (drawn large, as a triangle). */
  steps?: boolean[];
}

export interface ChartSpec {
  id: string;
  /** The heading of a set of small multiples, shared by the charts of the set. */
  group: string;
  /** What tells this chart from the others of its group; empty for a group of one. */
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

/** What every chart of one report shares: the releases, their short names, the series' names and colours. */
interface Context {
  releases: Release[];
  short: string[];
  name: (r: ReadRow) => string;
  colours: Colours;
}

const unique = <T>(xs: T[]) => [...new Set(xs)];
/** Chart.js draws a gap for null. */
const average = (xs: number[]) => mean(xs) ?? null;
const dashOf = (layout: string) => (layout === 'plain table' ? [] : [8, 4]);
/** "10k", "1M": a size on a crowded axis. */
const sizeShort = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** A point per size, a release's runs of a point averaged. */
function pointsBySize(rows: ReadRow[], y: string): { x: number; y: number }[] {
  const sizes = unique(rows.map((r) => Number(r.rows))).sort((a, b) => a - b);
  return sizes.flatMap((x) => {
    const v = average(rows.filter((r) => Number(r.rows) === x).flatMap((r) => num(r, y) ?? []));
    return v === null ? [] : [{ x, y: v }];
  });
}

/** Small multiples over table size: a chart per strategy or operation, a line per release (colour) and layout (dash). */
function bySize(ctx: Context, suite: string, y: string, group: string, yTitle: string): ChartSpec[] {
  const measured = (rel: Release) => rel.rows.filter((r) => r.suite === suite && num(r, y) !== undefined);
  const layouts = unique(ctx.releases.flatMap((rel) => measured(rel).map(layoutName)));
  const names = unique(ctx.releases.flatMap((rel) => measured(rel).map(ctx.name)));
  return names.map((name, n) => ({
    id: `${suite}-size-${n}`,
    group,
    title: name,
    type: 'line' as const,
    xTitle: 'rows (log scale)',
    yTitle,
    xScale: 'logarithmic' as const,
    datasets: ctx.releases.flatMap((release, i) => {
      const mine = measured(release).filter((r) => ctx.name(r) === name);
      return unique(mine.map(layoutName)).map((layout) => ({
        label: [ctx.releases.length > 1 ? ctx.short[i] : '', layouts.length > 1 ? layout : ''].filter(Boolean).join(' ') || layout,
        data: pointsBySize(
          mine.filter((r) => layoutName(r) === layout),
          y,
        ),
        color: releaseColour(i, ctx.releases.length),
        dash: dashOf(layout),
      }));
    }),
  }));
}

/** A bar per release at each label. */
function byLabel(ctx: Context, filter: (r: ReadRow) => boolean, labelOf: (r: ReadRow) => string, y: string): Pick<ChartSpec, 'labels' | 'datasets'> {
  const labels = unique(ctx.releases.flatMap((rel) => rel.rows.filter(filter).map(labelOf)));
  const datasets = ctx.releases
    .map((release, i) => {
      const rows = release.rows.filter(filter);
      const data = labels.map((l) => average(rows.filter((r) => labelOf(r) === l).flatMap((r) => num(r, y) ?? [])));
      return { label: ctx.short[i]!, data, color: releaseColour(i, ctx.releases.length), dash: [] };
    })
    .filter((d) => d.data.some((v) => v !== null));
  return { labels, datasets };
}

/** The cases of a suite at the largest size each series was measured at. */
function largestCases(rows: ReadRow[]): string[] {
  const largest = new Map<string, number>();
  for (const r of rows) largest.set(seriesKey(r), Math.max(largest.get(seriesKey(r)) ?? 0, Number(r.rows)));
  return unique(rows.filter((r) => Number(r.rows) === largest.get(seriesKey(r))).map(caseKey));
}

/** Per suite and layout, each case's mean time across the releases; the releases where compare found a step are marked. */
function trends(ctx: Context, steps: Step[]): ChartSpec[] {
  const all = ctx.releases.flatMap((r) => r.rows);
  return unique(all.map((r) => r.suite!)).flatMap((suite) => {
    const rows = all.filter((r) => r.suite === suite);
    const keys = largestCases(rows).map((key) => ({ key, first: rows.find((r) => caseKey(r) === key)! }));
    return unique(rows.map(layoutName)).map((layout) => {
      const mine = keys.filter((k) => layoutName(k.first) === layout);
      const sizes = unique(mine.map((k) => Number(k.first.rows)));
      const datasets = mine.map(({ key, first }) => ({
        label: sizes.length > 1 ? `${ctx.name(first)}, ${sizeShort(Number(first.rows))}` : ctx.name(first),
        data: ctx.releases.map((rel) => average(rel.rows.filter((r) => caseKey(r) === key).flatMap((r) => num(r, 'mean_ms') ?? []))),
        color: ctx.colours.of(ctx.name(first)),
        dash: [],
        steps: ctx.releases.map((_, i) => [...(steps[i - 1]?.regressions ?? []), ...(steps[i - 1]?.moreWork ?? []), ...(steps[i - 1]?.complexity ?? [])].includes(key)),
      }));
      return {
        id: `trend-${suite}-${layout.replace(/\W+/g, '-')}`,
        group: `${suite}: mean time across releases, at each case's largest size (a triangle marks a step compare found)`,
        title: sizes.length === 1 ? `${layout}, ${rowsLabel(sizes[0]!)}` : layout,
        type: 'line' as const,
        xTitle: 'release',
        yTitle: 'mean ms (log)',
        xScale: 'category' as const,
        logScale: true,
        labels: ctx.short,
        datasets,
      };
    });
  });
}

/** The worst latency of the simulated writers or readers during each case, per suite and layout, a bar per release. */
function worstLatency(ctx: Context, who: 'writer' | 'reader'): ChartSpec[] {
  const column = `${who}_max_ms`;
  const rows = ctx.releases.flatMap((rel) => rel.rows.filter((r) => num(r, column) !== undefined));
  const facets = unique(rows.map((r) => `${r.suite}|${layoutName(r)}`));
  return facets.map((facet, n) => {
    const [suite, layout] = facet.split('|') as [string, string];
    return {
      id: `${who}s-${n}`,
      group: `Worst ${who === 'writer' ? 'write' : 'read'} of the simulated application during each case (ms, log scale)`,
      title: `${suite} on the ${layout}`,
      type: 'bar' as const,
      xTitle: 'case, rows',
      yTitle: `${who} max ms`,
      xScale: 'category' as const,
      logScale: true,
      ...byLabel(
        ctx,
        (r) => r.suite === suite && layoutName(r) === layout && num(r, column) !== undefined,
        (r) => `${ctx.name(r)}, ${sizeShort(Number(r.rows))}`,
        column,
      ),
    };
  });
}

/** A chart with more than MAX_SERIES lines, cut into parts of at most that many. */
function inParts(chart: ChartSpec): ChartSpec[] {
  const parts = Math.ceil(chart.datasets.length / MAX_SERIES);
  if (parts <= 1) return [chart];
  return Array.from({ length: parts }, (_, p) => ({
    ...chart,
    id: `${chart.id}-part-${p + 1}`,
    title: `${chart.title} (part ${p + 1} of ${parts})`.trim(),
    datasets: chart.datasets.slice(p * MAX_SERIES, (p + 1) * MAX_SERIES),
  }));
}

/** The charts a report draws, from the CSV rows alone (pure: tested without a browser); none has more than MAX_SERIES lines. */
export function buildCharts(releases: Release[], steps: Step[] = []): ChartSpec[] {
  const ctx: Context = { releases, short: shortReleaseNames(releases.map((r) => r.name)), name: namer(releases.flatMap((r) => r.rows)), colours: new Colours() };
  const charts: ChartSpec[] = [
    ...(releases.length > 1 ? trends(ctx, steps) : []),
    ...bySize(ctx, 'backfill', 'rows_per_sec', 'Backfill throughput by table size (rows/s), a chart per strategy', 'rows/s'),
    ...bySize(ctx, 'index', 'mean_ms', 'Index build time by table size, a chart per operation', 'mean ms'),
    {
      id: 'ddl',
      group: 'Schema change time',
      title: '',
      type: 'bar',
      xTitle: 'operation',
      yTitle: 'mean ms',
      xScale: 'category',
      ...byLabel(
        ctx,
        (r) => r.suite === 'ddl',
        (r) => ctx.name(r),
        'mean_ms',
      ),
    },
    ...worstLatency(ctx, 'writer'),
    ...worstLatency(ctx, 'reader'),
  ];
  return charts.filter((c) => c.datasets.length > 0).flatMap(inParts);
}
