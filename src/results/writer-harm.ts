import { num, type ReadRow } from './csv.js';
import { namer, onLayout } from './names.js';
import { rowVerdict, SAFETY_VERDICTS, type SafetyVerdict } from './safety.js';

/** One operation's worst harm to the simulated writers in one release, over its sizes. */
export interface Harm {
  /** The operation in words, with the table it ran on: "one UPDATE on the plain table". */
  operation: string;
  verdict: SafetyVerdict;
  /** The smallest size at which the worst verdict was seen. */
  fromRows: number;
  /** The longest write wait at the worst verdict, and the size it was seen at. */
  worstMs: number;
  worstAtRows: number;
}

const rank = (v: SafetyVerdict) => SAFETY_VERDICTS.indexOf(v);

/** Each operation of a release (the setup suite aside) with its worst verdict; operations without writers are left out. */
export function harmsOf(rows: ReadRow[]): Harm[] {
  const name = namer(rows);
  const harms = new Map<string, Harm>();
  for (const r of rows) {
    const verdict = rowVerdict(r);
    if (r.suite === 'setup' || verdict === undefined) continue;
    const operation = `${name(r)} ${onLayout(r)}`;
    const size = Number(r.rows);
    const wait = num(r, 'writer_max_ms')!;
    const old = harms.get(operation);
    if (!old || rank(verdict) < rank(old.verdict)) {
      harms.set(operation, { operation, verdict, fromRows: size, worstMs: wait, worstAtRows: size });
    } else if (verdict === old.verdict) {
      old.fromRows = Math.min(old.fromRows, size);
      if (wait > old.worstMs) Object.assign(old, { worstMs: wait, worstAtRows: size });
    }
  }
  return [...harms.values()];
}
