import type pg from 'pg';
import { WireProxy, type WireStatement, type WireStatementStart } from '../db/wire-proxy.js';
import { runCommand, type CodeCommand, type CommandResult } from '../migrations/code/command.js';
import type { StatementOf } from '../migrations/code/statements.js';
import { OpenTransaction, placeOf } from '../migrations/code/transactions.js';
import { statementKey } from '../migrations/location.js';
import type { Statement } from '../migrations/types.js';
import { LockWatcher, locksHeld } from './locks.js';
import { changed, fileNodes, type GroupRun, type StatementRun } from './statement-timeline.js';

/** What measuring one statement as it runs took: its lock watcher, the tables' files before, the statement it is; its run once answered. */
interface Watch {
  statement: Promise<Statement>;
  watcher: LockWatcher;
  before: Map<number, number>;
  run?: Omit<StatementRun, 'statement'>;
}

/** The rows a command tag counts: `UPDATE 1000`, `INSERT 0 5`, `SELECT 7`. */
const tagRows = (tag?: string) => (tag && /^(INSERT|UPDATE|DELETE|SELECT|MERGE|COPY|FETCH|MOVE)\b/.test(tag) ? Number(tag.split(' ').at(-1)) || 0 : 0);

/** Two executions of one statement (a loop) as one: from the first start to the last end, time, locks, waits and rows added up. */
function merge(a: StatementRun, b: StatementRun): StatementRun {
  return {
    ...a,
    startedAt: Math.min(a.startedAt, b.startedAt),
    endedAt: Math.max(a.endedAt, b.endedAt),
    locks: [...new Set([...a.locks, ...b.locks])],
    rewritten: a.rewritten || b.rewritten,
    waitedMs: a.waitedMs + b.waitedMs,
    executions: (a.executions ?? 1) + (b.executions ?? 1),
    busyMs: (a.busyMs ?? a.endedAt - a.startedAt) + (b.busyMs ?? b.endedAt - b.startedAt),
    rows: (a.rows ?? 0) + (b.rows ?? 0),
  };
}

type Group = Omit<GroupRun, 'attempts' | 'group'> & { inTransaction: boolean };

/** A statement's run added to a group, merged with an earlier execution of the same statement. */
function add(g: Group, run: StatementRun): void {
  const i = g.statements.findIndex((s) => s.statement === run.statement);
  if (i < 0) g.statements.push(run);
  else g.statements[i] = merge(g.statements[i]!, run);
  g.startedAt = Math.min(g.startedAt, run.startedAt);
  g.endedAt = Math.max(g.endedAt, run.endedAt);
}

const firstKey = (g: Group) => statementKey(g.statements[0]!.statement);
const done = (g: Group): GroupRun => ({ ...g, attempts: 1, group: { statements: g.statements.map((s) => s.statement), inTransaction: g.inTransaction } });

/** The groups so far: a repeat of one (the same first statement: a loop that commits each batch) merges into it. Returns where it went. */
function keep(groups: Group[], g: Group): Group {
  const same = groups.find((x) => x.inTransaction === g.inTransaction && firstKey(x) === firstKey(g));
  if (!same) {
    groups.push(g);
    return g;
  }
  for (const run of g.statements) add(same, run);
  return same;
}

/** A failure that stands, unless a later execution of the same statement succeeds (a retry after lock_timeout). */
interface Failure {
  run: StatementRun;
  error: { message: string; code?: string };
  group: Group;
}

/**
 * The tool's statements as a file's groups: a transaction from the statement that opened it to the
 * one that closed it, by the server's status (locks held until then); an autocommitted statement
 * alone, its executions in a loop one group. Only the measured migration's statements count. A
 * statement that failed, and was not recovered from (a savepoint) or retried, ends the groups there.
 */
async function groupsOf(statements: WireStatement[], watches: Map<WireStatementStart, Watch>): Promise<GroupRun[]> {
  const groups: Group[] = [];
  const open = new Map<number, { group: Group; transaction: OpenTransaction<StatementRun> }>();
  let failure: Failure | undefined;
  for (const s of [...statements].sort((a, b) => a.startedAt - b.startedAt)) {
    const place = placeOf(s);
    if (place === 'opens') open.set(s.connection, { group: { startedAt: s.startedAt, endedAt: s.endedAt, statements: [], inTransaction: true }, transaction: new OpenTransaction() });
    const t = open.get(s.connection);
    const w = watches.get(s);
    // Only the measured migration's statements were watched (never the tool's BEGIN and COMMIT).
    const run = w?.run ? { statement: await w.statement, ...w.run } : undefined;
    t?.transaction.add(s.sql, run && !s.error ? run : undefined);
    if (run && !s.error && failure?.run.statement === run.statement) failure = undefined;
    const alone = run && !t ? keep(groups, { startedAt: run.startedAt, endedAt: run.endedAt, statements: [run], inTransaction: false }) : undefined;
    if (run && s.error) failure = { run, error: s.error, group: alone ?? t!.group };
    if (place === 'closes' && t) {
      open.delete(s.connection);
      for (const r of t.transaction.kept) add(t.group, r);
      t.group.endedAt = s.endedAt;
      const last = t.group.statements.at(-1);
      // A COMMIT the server refused (a deferred constraint): the transaction's last statement carries it.
      if (s.error && last) failure = { run: last, error: s.error, group: t.group };
      const kept = t.group.statements.length ? keep(groups, t.group) : t.group;
      if (failure?.group === t.group) failure.group = kept;
    }
  }
  return withFailure(
    groups.sort((a, b) => a.startedAt - b.startedAt),
    failure,
  );
}

/** The groups up to the one that failed, which carries the failure (its statement in it, even when the server refused the first). */
function withFailure(groups: Group[], failure: Failure | undefined): GroupRun[] {
  if (!failure) return groups.map(done);
  const g = failure.group;
  if (!g.statements.some((r) => r.statement === failure.run.statement)) add(g, failure.run);
  const at = groups.includes(g) ? groups.indexOf(g) : groups.length;
  const failed = { statement: failure.run.statement, error: failure.error.message, code: failure.error.code };
  return [...groups.slice(0, at).map(done), { ...done(g), failed }];
}

/**
 * The team's command run against the database at `url` through a wire-protocol proxy, each of the
 * migration's statements measured as runGroups measures a file's: the backend's locks polled while
 * it runs (read exactly after it, inside a transaction), its waits, and whether it rewrote a table.
 */
export async function measureCommand(
  cmd: CodeCommand,
  url: string,
  observer: pg.Client,
  relations: number[],
  statementOf: StatementOf,
): Promise<{ runs: GroupRun[]; result: CommandResult; statements: WireStatement[] }> {
  const watchers = new Map<number, Promise<LockWatcher>>();
  const watches = new Map<WireStatementStart, Watch>();
  // What each backend's open transaction held after its previous statement: a statement's locks are the ones it added.
  const held = new Map<number, string[]>();
  const proxy = await WireProxy.start(url, {
    beforeStatement: async (s) => {
      const statement = statementOf(s);
      if (!statement) return;
      if (!watchers.has(s.pid)) watchers.set(s.pid, LockWatcher.open(url));
      const watcher = await watchers.get(s.pid)!;
      const before = await fileNodes(observer, relations);
      watcher.start(s.pid, relations);
      watches.set(s, { statement, watcher, before });
    },
    afterStatement: async (s) => {
      const w = watches.get(s);
      if (w) {
        await w.watcher.stop();
        const inTransaction = s.statusBefore !== 'I' || s.statusAfter !== 'I';
        const now = inTransaction ? await locksHeld(observer, relations, s.pid) : w.watcher.seen();
        const before = s.statusBefore === 'I' ? [] : (held.get(s.pid) ?? []);
        held.set(s.pid, now);
        const rewritten = changed(w.before, await fileNodes(observer, relations));
        const waitedMs = w.watcher.waitedMs(s.startedAt, s.endedAt);
        w.run = { startedAt: s.startedAt, endedAt: s.endedAt, locks: now.filter((m) => !before.includes(m)), rewritten, waitedMs, rows: tagRows(s.tag) };
      }
      if (s.statusAfter === 'I') held.delete(s.pid);
    },
  });
  try {
    const result = await runCommand(cmd, proxy.url);
    if (proxy.failure) throw proxy.failure;
    const statements = proxy.statements();
    return { runs: await groupsOf(statements, watches), result, statements };
  } finally {
    await proxy.close();
    await Promise.all([...watchers.values()].map(async (w) => (await w).close()));
  }
}
