/**
 * How an operation's time grows with the rows, for carrying what was measured at small sizes to
 * production's. Time is a fixed part (planning, a catalog lock, a checkpoint) plus a part that grows
 * with the rows, linearly for scans and rewrites and as n log n for sorts (index builds); the two
 * are fitted to the sizes measured, so a fixed cost no longer flattens the growth (the log-log slope
 * did: 0.83 between 100k and 1M for an index build that grows faster past 1M).
 */
export type Growth = 'linear' | 'n log n';

/** Index builds sort their keys, and a foreign key's validation joins the table to its parent; everything else scans or writes each row once. */
export function growthOf(kind: string): Growth {
  return /\b(INDEX|PRIMARY KEY|UNIQUE|CLUSTER|VALIDATE CONSTRAINT|FOREIGN KEY)\b/i.test(kind) && !/^DROP\b/i.test(kind) ? 'n log n' : 'linear';
}

const work = (growth: Growth, rows: number) => (growth === 'linear' ? rows : rows * Math.log2(Math.max(2, rows)));

/** A fit: ms = fixed + perUnit * work(rows). */
export interface GrowthFit {
  growth: Growth;
  fixed: number;
  perUnit: number;
}

/**
 * The fit of fixed + perUnit * work(rows) to the points by least squares on relative errors (each
 * point weighs 1/ms^2, so 60 ms counts as much as 6 s), both parts at least 0. One point: all of
 * it grows.
 */
export function fitGrowth(points: readonly { rows: number; ms: number }[], growth: Growth): GrowthFit {
  const ps = points.filter((p) => p.ms > 0 && p.rows > 0);
  if (ps.length < 2) return { growth, fixed: 0, perUnit: ps[0] ? ps[0].ms / work(growth, ps[0].rows) : 0 };
  // Weighted normal equations for y = a + b x with weights w = 1 / y^2.
  let sw = 0,
    sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  for (const p of ps) {
    const w = 1 / p.ms ** 2;
    const x = work(growth, p.rows);
    sw += w;
    sx += w * x;
    sy += w * p.ms;
    sxx += w * x * x;
    sxy += w * x * p.ms;
  }
  const det = sw * sxx - sx * sx;
  let perUnit = det > 0 ? (sw * sxy - sx * sy) / det : 0;
  let fixed = (sy - perUnit * sx) / sw;
  // A negative part means the points say nothing of it: fit the other alone.
  if (fixed < 0) {
    fixed = 0;
    perUnit = sxy / sxx;
  }
  if (perUnit < 0) {
    perUnit = 0;
    fixed = sy / sw;
  }
  return { growth, fixed, perUnit };
}

export const predictGrowth = (fit: GrowthFit, rows: number) => fit.fixed + fit.perUnit * work(fit.growth, rows);

/** What decides where the work leaves memory: the server's settings and the table's bytes per row (heap, TOAST and indexes). */
export interface MemoryLimits {
  sharedBuffersBytes: number;
  maintenanceWorkMemBytes: number;
  bytesPerRow: number;
}

/**
 * The rows past which the work no longer fits in memory: the table past shared_buffers (a scan or
 * rewrite then reads through the OS), and for a sort its keys (about a quarter of the row, a
 * rough share) past maintenance_work_mem (the sort spills to disk).
 */
export function memoryEdgeRows(growth: Growth, m: MemoryLimits): number {
  const heap = m.sharedBuffersBytes / m.bytesPerRow;
  return growth === 'n log n' ? Math.min(heap, (4 * m.maintenanceWorkMemBytes) / m.bytesPerRow) : heap;
}

/** Past the memory edge, measured on this machine, the cost per row grew up to about this much (results/extrapolation-0.8.0). */
export const PAST_MEMORY = 2.2;
/**
 * The cost per row goes on growing until the table is a few times past the edge (the scan's ring
 * buffer, checkpoints during the operation): a size measured less than this far past it has not
 * seen the whole step (the wide table of results/extrapolation-0.8.0, 1.3x past at 1m).
 */
export const EDGE_SPAN = 4;
/** Inside one regime, single measurements beside traffic scatter about this much either way. */
export const SCATTER = 0.3;

/** A figure carried to a larger size: a range, and the point in it. */
export interface Carried {
  ms: number;
  low: number;
  high: number;
  /** The target is past the memory edge and the largest size measured is not far past it (EDGE_SPAN). */
  pastMemory: boolean;
}

/**
 * Carry the times measured at several sizes to `target` rows. The point: fixed + growing parts fitted
 * to them. Where the largest size is past the memory edge already, the smaller ones ran in another
 * regime: the largest alone, scaled by the growth, bounds the range too. The range: SCATTER either
 * way, and where the target is past the memory edge that no size measured is far past (EDGE_SPAN),
 * the upper end raised by PAST_MEMORY.
 */
export function carry(points: readonly { rows: number; ms: number }[], target: number, growth: Growth, memory?: MemoryLimits): Carried {
  const ms = predictGrowth(fitGrowth(points, growth), target);
  const largest = points.reduce((a, b) => (b.rows > a.rows ? b : a));
  const edge = memory ? memoryEdgeRows(growth, memory) : Infinity;
  const pastMemory = target > edge && largest.rows <= EDGE_SPAN * edge;
  const scaled = largest.rows > edge ? (largest.ms * work(growth, target)) / work(growth, largest.rows) : ms;
  return { ms, low: Math.min(ms, scaled) * (1 - SCATTER), high: Math.max(ms, scaled) * (1 + SCATTER) * (pastMemory ? PAST_MEMORY : 1), pastMemory };
}
