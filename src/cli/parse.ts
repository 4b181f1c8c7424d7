import { InvalidOptionError } from '../core/errors.js';

/** `10k` -> 10000, `1m` -> 1000000, `2500` -> 2500. */
export function parseSize(text: string, option = '--sizes'): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new InvalidOptionError(option, `${JSON.stringify(text)} is not a row count such as 10k, 500k or 1m`);
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidOptionError(option, `${JSON.stringify(text)} must be a positive whole number of rows`);
  return n;
}

/** A comma list whose every item must be one of `allowed`. */
export function parseChoices<T extends string>(option: string, text: string, allowed: readonly T[]): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidOptionError(option, 'needs at least one value');
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new InvalidOptionError(option, `${JSON.stringify(item)} is not one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

/** `0`, `250ms`, `1s`, `1.5s`, `2m` -> milliseconds. */
export function parseDuration(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new InvalidOptionError(option, `${JSON.stringify(text)} is not a duration such as 0ms, 500ms or 1s`);
  const unit = m[2] ?? 'ms';
  return Math.round(Number(m[1]) * (unit === 's' ? 1000 : unit === 'm' ? 60_000 : 1));
}

/** A comma list of whole numbers, 0 included: `0,8`. */
export function parseCounts(option: string, text: string): number[] {
  const items = text.split(',').map((x) => x.trim());
  if (items.some((x) => !/^\d+$/.test(x))) throw new InvalidOptionError(option, `must be whole numbers separated by commas, got ${JSON.stringify(text)}`);
  return [...new Set(items.map(Number))];
}

export function parsePositiveInt(option: string, text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(n) || n <= 0) throw new InvalidOptionError(option, `must be a positive whole number, got ${JSON.stringify(text)}`);
  return n;
}

export function parseFraction(option: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n >= 10) throw new InvalidOptionError(option, `must be a positive fraction such as 0.15, got ${JSON.stringify(text)}`);
  return n;
}

/** `5` or `5%` -> 5: a percentage over 0 and under 100. */
export function parsePercent(option: string, text: string): number {
  const n = Number(text.trim().replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || n >= 100) throw new InvalidOptionError(option, `must be a percentage such as 5, got ${JSON.stringify(text)}`);
  return n;
}

/** Repeated `key=value` options as a map: the key before the first `=` must match `key`; `shape` says in the error what one looks like. */
export function parsePairs(option: string, items: string[], shape: string, key = /^[^=\s]+$/): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const at = item.indexOf('=');
    const k = item.slice(0, at);
    if (at < 1 || at === item.length - 1 || !key.test(k)) throw new InvalidOptionError(option, `${JSON.stringify(item)} is not ${shape}`);
    out.set(k, item.slice(at + 1));
  }
  return out;
}
