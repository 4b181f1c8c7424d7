/** A duration as people read it: 42s, 3m05s, 1h02m; -- when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** SQL (or any text) on one line, runs of whitespace as one space. */
export const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Milliseconds as seconds to a tenth: `3.0 s`. */
export const tenthsOfSecond = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
