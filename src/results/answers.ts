import { BLOAT_LIMIT, chooseBackfill, type BackfillChoice, type BackfillOption } from './backfill-choice.js';
import { caseLabel, type Release, type Step } from './history.js';
import { rowsLabel } from './names.js';
import { harmsOf, type Harm } from './writer-harm.js';

/** What the report says first, in words built from the rows: what to use, what changed, what is unsafe. */
export interface Answers {
  use: string[];
  changed: string[];
  unsafe: string[];
}

const times = (x: number) => `${x.toFixed(2)}x`;
export const formatMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** "a, b, c and 2 more". */
const listOf = (items: string[], most: number) => (items.length > most ? `${items.slice(0, most).join('; ')} and ${items.length - most} more` : items.join('; '));

/** "0.83x one UPDATE's time, writers' worst wait 64 ms, table 1.09x compact": whatever the rows hold. */
function facts(o: BackfillOption): string {
  return [
    o.ofUpdate === undefined ? formatMs(o.ms) : `${times(o.ofUpdate)} one UPDATE's time`,
    o.worstWaitMs === undefined ? "writers' wait not measured" : `writers' worst wait ${formatMs(o.worstWaitMs)}`,
    o.growth === undefined ? '' : `table ${times(o.growth)} compact`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Why a faster option was not chosen. */
function cost(o: BackfillOption): string {
  const harm = o.verdict === undefined ? 'no writers ran beside it' : o.verdict === 'no harm seen' ? '' : o.verdict;
  const bloat = o.growth !== undefined && o.growth > BLOAT_LIMIT ? `table over ${times(BLOAT_LIMIT)} compact` : '';
  return [harm, bloat].filter(Boolean).join(' and ');
}

function useSentence(c: BackfillChoice): string {
  const where = `${capital(c.layout)} (${rowsLabel(c.rows)})`;
  const choice = c.use ? `${where}, use ${c.use.name} to backfill: ${facts(c.use)}.` : `${where}, no batched backfill left the writers unharmed and the table within ${times(BLOAT_LIMIT)} compact.`;
  const costly = c.fasterAtACost.map((o) => `${o.name} (${facts(o)}): ${cost(o)}`);
  return costly.length ? `${choice} ${c.use ? 'Faster, at a cost' : 'Each at a cost'}: ${costly.join('; ')}.` : choice;
}

const flagged = (what: string, keys: string[]) => (keys.length ? `${keys.length} ${what}: ${listOf(keys.map(caseLabel), 3)}` : '');

/** compare's verdicts on the last step, and the median case's time, in one sentence. */
function compareSentence(s: Step, short: (name: string) => string): string {
  const found = [flagged('time regressions', s.regressions), flagged('cases with more work', s.moreWork), flagged('cases with steeper growth', s.complexity)].filter(Boolean);
  const verdict = found.length ? `compare found ${found.join('; ')}` : 'compare found no time regression, no more work and no steeper growth';
  const median = s.medianTimeRatio === undefined ? '' : `; the median case took ${times(s.medianTimeRatio)} its time in ${short(s.from)}`;
  const unsure = s.inconclusive ? `, and ${s.inconclusive} of ${s.cases} cases moved in time where one run per release cannot tell the build from the machine (inconclusive)` : '';
  return `Since ${short(s.from)}, ${verdict}${median}${unsure}.`;
}

/** Operations whose verdict beside the writers moved between two releases. */
function harmChanges(before: Harm[], after: Harm[]): string[] {
  const old = new Map(before.map((h) => [h.operation, h]));
  return after.flatMap((h) => {
    const was = old.get(h.operation);
    return was && was.verdict !== h.verdict ? [`${h.operation}: ${was.verdict} → ${h.verdict} (worst wait ${formatMs(h.worstMs)})`] : [];
  });
}

/** Per layout, whether the backfill to use is the one of the release before. */
function choiceChanges(before: BackfillChoice[], after: BackfillChoice[], from: string): string[] {
  return after.flatMap((c) => {
    const was = before.find((b) => b.layout === c.layout)?.use?.name;
    const now = c.use?.name;
    if (was === now) return [];
    return [`What to use ${c.layout} changed: ${now ?? 'nothing qualifies'}, where ${from} said ${was ?? 'nothing'}.`];
  });
}

/** What changed from the release before the last: compare's verdicts, the writers' verdicts, the choice. */
export function whatChanged(releases: Release[], history: Step[], short: (name: string) => string = (n) => n): string[] {
  const step = history.at(-1);
  if (releases.length < 2 || !step) return [`One release only (${releases[0]?.name ?? 'none'}): nothing to compare it with.`];
  const [before, after] = releases.slice(-2) as [Release, Release];
  const harms = harmChanges(harmsOf(before.rows), harmsOf(after.rows));
  const choices = choiceChanges(chooseBackfill(before.rows), chooseBackfill(after.rows), short(before.name));
  return [
    compareSentence(step, short),
    harms.length
      ? `Beside the writers, ${harms.length} ${harms.length === 1 ? 'verdict' : 'verdicts'} moved: ${listOf(harms, 4)}.`
      : `Beside the writers, every operation kept its verdict of ${short(before.name)}.`,
    ...(choices.length ? choices : [`What to use is what ${short(before.name)} said.`]),
  ];
}

/** The operations that blocked the writers in a release, a sentence each, and one for those that slowed them. */
export function whatIsUnsafe(release: Release): string[] {
  const harms = harmsOf(release.rows);
  const blocked = harms.filter((h) => h.verdict.startsWith('BLOCKED'));
  const slowed = harms.filter((h) => h.verdict === 'slowed writers');
  const worst = (h: Harm) => `worst wait ${formatMs(h.worstMs)} at ${rowsLabel(h.worstAtRows)}`;
  const how = (h: Harm) => (h.verdict === 'BLOCKED writers' ? 'blocked writers' : 'held writers for the whole operation');
  return [
    ...(blocked.length ? blocked.map((h) => `${capital(h.operation)} ${how(h)} from ${rowsLabel(h.fromRows)} (${worst(h)}).`) : [`No operation blocked the writers in ${release.name}.`]),
    ...(slowed.length ? [`Slowed writers: ${slowed.map((h) => `${h.operation} (${worst(h)})`).join('; ')}.`] : []),
  ];
}

/** The report's first section: the last release's answers, and what changed from the one before. */
export function answersOf(releases: Release[], history: Step[], short: (name: string) => string = (n) => n): Answers {
  const last = releases.at(-1);
  if (!last) return { use: [], changed: [], unsafe: [] };
  return { use: chooseBackfill(last.rows).map(useSentence), changed: whatChanged(releases, history, short), unsafe: whatIsUnsafe(last) };
}
