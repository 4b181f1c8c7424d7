import cliProgress from 'cli-progress';
import type { BackfillProgress } from '../engine/types.js';
import { formatDuration } from '../core/format.js';
import type { Reporter } from '../measure/reporter.js';

const PLAIN_EVERY_MS = 5000;

/** gh-ost style: what, how far, how fast, how long left. */
export function backfillLine(p: BackfillProgress): string {
  const pct = (p.fraction * 100).toFixed(1);
  const throttled = p.throttledMs > 0 ? `; throttled ${formatDuration(p.throttledMs / 1000)}` : '';
  const leaves = p.relations > 1 ? ` (${p.relations} leaves)` : '';
  const nulls = p.nullsLeft !== undefined ? `; ${p.nullsLeft} NULLs left (counted)` : '';
  const vacuums = p.vacuums > 0 ? `; vacuumed ${p.vacuums}x behind` : '';
  return (
    `backfill ${p.table}.${p.column}${leaves} [${p.strategy}] ${p.stage}: ${p.rowsDone.toLocaleString('en-US')} rows ` +
    `(~${pct}% of ~${Math.round(p.totalEstimate).toLocaleString('en-US')}); ${Math.round(p.rowsPerSec).toLocaleString('en-US')} rows/s; ` +
    `batch ${p.batchSize}, largest ${p.largestBatch}${vacuums}; ETA ${p.stage === 'done' ? 'done' : formatDuration(p.etaSec)}${throttled}${nulls}`
  );
}

/** A terminal gets a bar; anything else (CI, a log file) gets a line every few seconds. */
export function createReporter(totalCases: number, stream: NodeJS.WriteStream = process.stderr): Reporter {
  return stream.isTTY ? new BarReporter(totalCases, stream) : new LineReporter(totalCases, stream);
}

class LineReporter implements Reporter {
  private done = 0;
  private lastBackfillLine = 0;
  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WritableStream,
  ) {}
  caseStarted(label: string) {
    // A case the plan could not count ahead (try's run behind the long query, only where a statement needs it) raises the total.
    this.log(`[${this.done + 1}/${Math.max(this.total, this.done + 1)}] ${label}`);
  }
  caseDone() {
    this.done += 1;
  }
  backfill(p: BackfillProgress) {
    const now = Date.now();
    if (p.stage === 'done' || now - this.lastBackfillLine >= PLAIN_EVERY_MS) {
      this.lastBackfillLine = now;
      this.log(backfillLine(p));
    }
  }
  log(line: string) {
    this.stream.write(`${line}\n`);
  }
  stop() {}
}

class BarReporter implements Reporter {
  private readonly bar: cliProgress.SingleBar;
  constructor(total: number, stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      { format: '{bar} {percentage}% | {value}/{total} | ETA {eta_formatted} | {label}', stream, hideCursor: true, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(Math.max(1, total), 0, { label: '' });
  }
  caseStarted(label: string) {
    // As in the log view: a case beyond the planned count raises the total.
    const total = this.bar.getTotal();
    if (Math.round(this.bar.getProgress() * total) >= total) this.bar.setTotal(total + 1);
    this.bar.update({ label });
  }
  caseDone() {
    this.bar.increment();
  }
  backfill(p: BackfillProgress) {
    this.bar.update({ label: backfillLine(p) });
  }
  log(line: string) {
    this.bar.stop();
    process.stderr.write(`${line}\n`);
    this.bar.start(this.bar.getTotal(), this.bar.getProgress() * this.bar.getTotal());
  }
  stop() {
    this.bar.stop();
  }
}

/** The `pgmb backfill` view: a percent bar with the status line on a terminal, lines elsewhere. */
export function createBackfillView(stream: NodeJS.WriteStream = process.stderr): { update(p: BackfillProgress): void; log(line: string): void; stop(): void } {
  if (!stream.isTTY) {
    const lines = new LineReporter(1, stream);
    return { update: (p) => lines.backfill(p), log: (line) => lines.log(line), stop: () => undefined };
  }
  // Short enough for an 80-column terminal: a wrapped line cannot be redrawn in place.
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | {rows} rows | {rate} rows/s | {stage} | ETA {eta_text}', stream, hideCursor: true, barsize: 24, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const start = () => bar.start(1000, 0, { rows: 0, rate: 0, stage: 'starting', eta_text: '--' });
  let last: BackfillProgress | undefined;
  const show = (p: BackfillProgress) =>
    bar.update(Math.round(p.fraction * 1000), {
      rows: p.rowsDone.toLocaleString('en-US'),
      rate: Math.round(p.rowsPerSec).toLocaleString('en-US'),
      stage: p.throttledMs > 0 ? `${p.stage}, throttled ${formatDuration(p.throttledMs / 1000)}` : p.stage,
      eta_text: formatDuration(p.etaSec),
    });
  start();
  return {
    update: (p) => {
      last = p;
      show(p);
    },
    // A line above the bar, then the bar again where it was.
    log: (line) => {
      bar.stop();
      stream.write(`${line}\n`);
      start();
      if (last) show(last);
    },
    stop: () => bar.stop(),
  };
}
