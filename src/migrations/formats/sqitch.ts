import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { MigrationTool } from './format.js';
import { findFolders, onePerFile } from './shared.js';

/** Where a Sqitch project keeps its plan and its deploy scripts. */
interface Project {
  plan: string;
  deployDir: string;
  extension: string;
}

/** One change line of the plan: its name, line, the tags on it and, once reworked later, the tags its old script may be named by. */
interface Change {
  name: string;
  line: number;
  tags: string[];
  reworkTags: string[];
}

/** A git-config value: quoted, or bare up to an inline `#`/`;` comment. */
function configValue(raw: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(raw);
  return quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : raw.replace(/\s*[#;].*$/, '').trim();
}

/** sqitch.conf (git-config syntax) as `section.key` values: `[engine "pg"]` is section `engine.pg`. */
function readConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  let section = '';
  for (const line of text.split('\n').map((l) => l.trim())) {
    const head = /^\[\s*([\w.-]+)(?:\s+"([^"]*)")?\s*\]/.exec(line);
    const entry = /^([A-Za-z][\w-]*)\s*=\s*(.*)$/.exec(line);
    if (head) section = [head[1]!.toLowerCase(), ...(head[2] === undefined ? [] : [head[2]])].join('.');
    else if (entry) values.set(`${section}.${entry[1]!.toLowerCase()}`, configValue(entry[2]!));
  }
  return values;
}

/**
 * The project whose sqitch.conf or sqitch.plan is in `dir`. Paths come from `[engine "<core.engine>"]`
 * then `[core]`: top_dir (default `.`), plan_file (default top_dir/sqitch.plan), deploy_dir (default
 * top_dir/deploy), extension (default sql), relative to the folder Sqitch runs in, the config's
 * (https://sqitch.org/docs/manual/sqitch-configuration/, App::Sqitch::Target). None without a plan.
 */
function projectIn(dir: string): Project | undefined {
  const conf = join(dir, 'sqitch.conf');
  const config = existsSync(conf) ? readConfig(readFileSync(conf, 'utf8')) : new Map<string, string>();
  const setting = (key: string) => config.get(`engine.${config.get('core.engine')}.${key}`) || config.get(`core.${key}`);
  const at = (path: string) => (isAbsolute(path) ? path : join(dir, path));
  const top = setting('top_dir') ?? '.';
  const plan = at(setting('plan_file') ?? join(top, 'sqitch.plan'));
  if (!existsSync(plan)) return undefined;
  return { plan, deployDir: at(setting('deploy_dir') ?? join(top, 'deploy')), extension: setting('extension') ?? 'sql' };
}

/** The project in `dir`, or the one whose deploy folder `dir` is. */
function projectOf(dir: string): Project | undefined {
  const own = projectIn(dir);
  if (own) return own;
  const parent = projectIn(dirname(resolve(dir)));
  return parent && resolve(parent.deployDir) === resolve(dir) ? parent : undefined;
}

/**
 * The tags a reworked change's earlier script may be named by, best first: the tags of the changes
 * after it (latest first), then its own (App::Sqitch::Plan `_parse`). None means no tag lies between
 * the two: Sqitch refuses a change declared twice without one.
 */
function reworkTags(changes: Change[], earlier: Change): string[] {
  const after = changes.slice(changes.indexOf(earlier) + 1).reverse();
  return [...after.flatMap((c) => c.tags), ...earlier.tags];
}

/** The project a dependency names (`other:change`, `!other:change`), if it names one. */
const projectNamed = (dep: string) => /^!?([^:@\s]+):/.exec(dep)?.[1];

/** A plan being read: its changes so far, the latest change of each name, its %project. */
interface PlanState {
  path: string;
  changes: Change[];
  latest: Map<string, Change>;
  notes: string[];
  project?: string;
}

const planError = (plan: PlanState, line: number, why: string) => new MigrationFileError({ file: plan.path, line, col: 1 }, why);

/**
 * One change line, `name [deps] timestamp planner`: a name seen before is a rework of it. A
 * dependency on another project's change is noted, not followed.
 */
function addChange(plan: PlanState, text: string, line: number): void {
  const change = /^\+?\s*([^\s:@#[\]]+)\s*(?:\[([^\]]*)\])?/.exec(text);
  if (plan.project === undefined) throw planError(plan, line, 'a change before the %project pragma: Sqitch needs the project named first');
  if (!change) throw planError(plan, line, `neither a change nor a tag: "${text}"`);
  const name = change[1]!;
  const earlier = plan.latest.get(name);
  if (earlier) {
    earlier.reworkTags = reworkTags(plan.changes, earlier);
    if (!earlier.reworkTags.length) throw planError(plan, line, `change "${name}" again with no tag since line ${earlier.line}: Sqitch reworks a change only after a tag`);
  }
  for (const dep of (change[2] ?? '').split(/\s+/)) {
    const other = projectNamed(dep);
    if (other !== undefined && other !== plan.project)
      plan.notes.push(`${plan.path}:${line}: change "${name}" depends on ${dep}, a change of project ${other}: not read (pgmb reads this plan's changes only)`);
  }
  const c: Change = { name, line, tags: [], reworkTags: [] };
  plan.changes.push(c);
  plan.latest.set(name, c);
}

/**
 * sqitch.plan in order: `%pragma` lines, blank and `#` lines, change lines, and `@tag ...` lines
 * tagging the change above them; a change named again after a tag is a rework
 * (https://sqitch.org/docs/manual/sqitch-rework/). Also the notes on other projects' changes it
 * depends on.
 */
function readPlan(path: string): { changes: Change[]; notes: string[] } {
  const plan: PlanState = { path, changes: [], latest: new Map(), notes: [] };
  for (const [i, raw] of readFileSync(path, 'utf8').split('\n').entries()) {
    const pragma = /^\s*%\s*project\s*=\s*(\S+)/.exec(raw);
    if (pragma) plan.project = pragma[1];
    const text = raw.replace(/\s*#.*$/, '').trim();
    const tag = /^@([^\s:@#]+)/.exec(text);
    if (!text || text.startsWith('%')) continue;
    if (!tag) addChange(plan, text, i + 1);
    else if (plan.changes.length) plan.changes.at(-1)!.tags.push(tag[1]!);
    else throw planError(plan, i + 1, `tag @${tag[1]} before any change: Sqitch tags the change above it`);
  }
  return { changes: plan.changes, notes: plan.notes };
}

/**
 * A transaction the script opens itself: `BEGIN;`, `BEGIN WORK;`, `START TRANSACTION ISOLATION LEVEL ...;`
 * at a line's start (a PL/pgSQL block's `BEGIN` is followed by statements, not by `;`).
 */
const OPENS_TRANSACTION = /^\s*(?:BEGIN|START\s+TRANSACTION)(?:\s+(?:WORK|TRANSACTION))?(?:\s+(?:ISOLATION|READ|NOT|DEFERRABLE)\b[^;\n]*)?\s*;/im;

/** Change names as the plan gives them, by script: folder() fills it, migrations() names by it. */
const changeNames = new Map<string, string>();

/**
 * A change's deploy script: deploy/<name>.sql, its earlier reworked versions deploy/<name>@<tag>.sql
 * for the first rework tag with a script, else the first tag (App::Sqitch::Plan::Change
 * `path_segments`). A name with `/` is a path under deploy/. A missing script is refused at its plan line.
 */
function deployScript(project: Project, change: Change): { file: string; name: string } {
  const segments = change.name.split('/');
  const base = segments.pop()!;
  const at = (tag?: string) => join(project.deployDir, ...segments, `${base}${tag ? `@${tag}` : ''}.${project.extension}`);
  const tag = change.reworkTags.length ? (change.reworkTags.find((t) => existsSync(at(t))) ?? change.reworkTags[0]) : undefined;
  const file = at(tag);
  if (!existsSync(file)) throw new MigrationFileError({ file: project.plan, line: change.line, col: 1 }, `change "${change.name}": its deploy script ${file} is missing`);
  return { file, name: tag ? `${change.name}@${tag}` : change.name };
}

/** Dependencies on other projects' changes, reported and not followed (the migration list gains nothing from them). */
function sqitchNotes(dir: string): string[] {
  const project = projectOf(dir);
  return project ? readPlan(project.plan).notes : [];
}

/**
 * Sqitch: the deploy scripts in sqitch.plan's order, given the project folder (sqitch.conf or
 * sqitch.plan in it) or its deploy folder; revert/ and verify/ are not read. Sqitch wraps no
 * transaction around a script: psql runs it, so its own BEGIN/COMMIT (which `sqitch add` writes
 * into PostgreSQL scripts) are its transaction, honoured as written, and a script without them
 * autocommits statement by statement (noTransaction).
 */
export const sqitch: MigrationTool<'sqitch'> = {
  name: 'sqitch',
  title: 'Sqitch',
  notes: sqitchNotes,
  folder(dir) {
    const project = projectOf(dir);
    if (!project) return undefined;
    return readPlan(project.plan).changes.map((change) => {
      const { file, name } = deployScript(project, change);
      changeNames.set(resolve(file), name);
      return file;
    });
  },
  layoutDecides: true,
  /** Named by its change (`name@tag` for a reworked change's earlier script); a lone script by its file. */
  migrations: onePerFile(
    ({ file }) => changeNames.get(resolve(file)) ?? basename(file, extname(file)),
    ({ text }) => ({ text, noTransaction: !OPENS_TRANSACTION.test(text) }),
  ),
  /** Folders with a sqitch.conf or sqitch.plan, one per plan (a root config pointing into db/ and db/ itself are one project). */
  locate(root) {
    const seen = new Set<string>();
    return findFolders(root, (d) => existsSync(join(d, 'sqitch.conf')) || existsSync(join(d, 'sqitch.plan'))).filter((d) => {
      const plan = projectIn(d)?.plan;
      if (!plan || seen.has(resolve(plan))) return false;
      seen.add(resolve(plan));
      return true;
    });
  },
};
