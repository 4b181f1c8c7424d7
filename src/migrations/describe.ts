import type { ForeignKeyAdded, RelationName } from './types.js';

/** A parse-tree node: `{ NodeName: fields }`, as libpg-query returns it. */
// biome-ignore lint/suspicious/noExplicitAny: libpg-query's parse tree is untyped JSON, walked by node name
export type Node = Record<string, any>;

export interface Description {
  kind: string;
  targets: RelationName[];
  needsNoTransaction: boolean;
  /** The table a CREATE TABLE makes. */
  creates?: RelationName;
  /** Owners, privileges or roles (GRANT, OWNER TO, CREATE ROLE): about production's roles, not the schema's shape. */
  aboutRoles?: boolean;
  control?: 'begin' | 'commit' | 'rollback';
  /** Why pgmb cannot run it at all, if so. */
  refused?: string;
  /** Foreign keys it adds to an existing table (ALTER TABLE ... ADD FOREIGN KEY). */
  addsForeignKeys?: ForeignKeyAdded[];
}

const relation = (r: Node | undefined): RelationName[] => (r?.relname ? [{ schema: r.schemaname, name: r.relname }] : []);

/** `AT_AddColumn` -> `ADD COLUMN`. */
const ALTER_TABLE_CMDS: Record<string, string> = {
  AT_AddColumn: 'ADD COLUMN',
  AT_DropColumn: 'DROP COLUMN',
  AT_AlterColumnType: 'ALTER COLUMN TYPE',
  AT_ColumnDefault: 'SET DEFAULT',
  AT_SetNotNull: 'SET NOT NULL',
  AT_DropNotNull: 'DROP NOT NULL',
  AT_ValidateConstraint: 'VALIDATE CONSTRAINT',
  AT_DropConstraint: 'DROP CONSTRAINT',
  AT_AttachPartition: 'ATTACH PARTITION',
  AT_DetachPartition: 'DETACH PARTITION',
  AT_AddIdentity: 'ADD IDENTITY',
  AT_SetLogged: 'SET LOGGED',
  AT_SetUnLogged: 'SET UNLOGGED',
  AT_ClusterOn: 'CLUSTER ON',
};

const CONSTRAINTS: Record<string, string> = {
  CONSTR_FOREIGN: 'FOREIGN KEY',
  CONSTR_CHECK: 'CHECK',
  CONSTR_UNIQUE: 'UNIQUE',
  CONSTR_PRIMARY: 'PRIMARY KEY',
  CONSTR_EXCLUSION: 'EXCLUDE',
  CONSTR_NOTNULL: 'NOT NULL',
};

const names = (list: Node[] | undefined): string[] => (list ?? []).map((n) => n.String?.sval as string);

function alterTable(s: Node): Description {
  const targets = relation(s.relation);
  const words: string[] = [];
  const addsForeignKeys: ForeignKeyAdded[] = [];
  let needsNoTransaction = false;
  for (const { AlterTableCmd: c } of s.cmds ?? []) {
    if (c.subtype === 'AT_AddConstraint') {
      const k = c.def?.Constraint;
      words.push(`ADD ${CONSTRAINTS[k?.contype] ?? 'CONSTRAINT'}${k?.skip_validation ? ' NOT VALID' : ''}`);
      // A foreign key locks (and, validated, reads) the referenced table too.
      for (const t of relation(k?.pktable)) targets.push(t);
      const [table] = relation(s.relation);
      const [parent] = relation(k?.pktable);
      if (k?.contype === 'CONSTR_FOREIGN' && table && parent) addsForeignKeys.push({ table, columns: names(k.fk_attrs), parent, parentColumns: names(k.pk_attrs) });
    } else if (c.subtype === 'AT_DetachPartition') {
      const concurrent = !!c.def?.PartitionCmd?.concurrent;
      needsNoTransaction ||= concurrent;
      words.push(`DETACH PARTITION${concurrent ? ' CONCURRENTLY' : ''}`);
    } else {
      words.push(
        ALTER_TABLE_CMDS[c.subtype] ??
          String(c.subtype)
            .replace(/^AT_/, '')
            .replace(/([a-z])([A-Z])/g, '$1 $2')
            .toUpperCase(),
      );
    }
  }
  const object = s.objtype === 'OBJECT_INDEX' ? 'INDEX' : s.objtype === 'OBJECT_MATVIEW' ? 'MATERIALIZED VIEW' : 'TABLE';
  return {
    kind: `ALTER ${object} ${[...new Set(words)].join(', ')}`,
    targets: object === 'TABLE' ? targets : [],
    needsNoTransaction,
    addsForeignKeys: addsForeignKeys.length ? addsForeignKeys : undefined,
  };
}

const SERVER_STATEMENTS: Record<string, string> = {
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
};

/** `CreateEnumStmt` -> `CREATE ENUM`: the fallback name of a statement kind. */
const spaced = (name: string) =>
  name
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();

/** Privileges, owners and roles: roles are the whole server's, not a database's, so a scratch database must not make them on yours. */
const ROLE_STATEMENTS = new Set(['GrantStmt', 'GrantRoleStmt', 'AlterOwnerStmt', 'AlterDefaultPrivilegesStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'AlterRoleSetStmt', 'DropRoleStmt']);

/** What a parsed statement is, which tables it touches, and whether it may run in a transaction. */
export function describe(stmt: Node): Description {
  const [name, s] = Object.entries(stmt)[0] as [string, Node];
  const d = describeKind(name, s);
  const ownerChange = name === 'AlterTableStmt' && (s.cmds ?? []).every((c: Node) => c.AlterTableCmd?.subtype === 'AT_ChangeOwner');
  // Row-level security policies grant production's roles rows: made, changed and dropped with those roles.
  const policy = name === 'CreatePolicyStmt' || name === 'AlterPolicyStmt' || (name === 'DropStmt' && s.removeType === 'OBJECT_POLICY');
  return ROLE_STATEMENTS.has(name) || ownerChange || policy ? { ...d, aboutRoles: true } : d;
}

function describeKind(name: string, s: Node): Description {
  switch (name) {
    case 'IndexStmt':
      return { kind: `CREATE ${s.unique ? 'UNIQUE ' : ''}INDEX${s.concurrent ? ' CONCURRENTLY' : ''}`, targets: relation(s.relation), needsNoTransaction: !!s.concurrent };
    case 'AlterTableStmt':
      return alterTable(s);
    case 'UpdateStmt':
      return { kind: 'UPDATE', targets: relation(s.relation), needsNoTransaction: false };
    case 'DeleteStmt':
      return { kind: 'DELETE', targets: relation(s.relation), needsNoTransaction: false };
    case 'InsertStmt':
      return { kind: 'INSERT', targets: relation(s.relation), needsNoTransaction: false };
    case 'TruncateStmt':
      return { kind: 'TRUNCATE', targets: (s.relations ?? []).flatMap((r: Node) => relation(r.RangeVar)), needsNoTransaction: false };
    case 'VacuumStmt':
      return {
        kind: s.is_vacuumcmd ? 'VACUUM' : 'ANALYZE',
        targets: (s.rels ?? []).flatMap((r: Node) => relation(r.VacuumRelation?.relation)),
        needsNoTransaction: !!s.is_vacuumcmd,
      };
    case 'ClusterStmt':
      return { kind: 'CLUSTER', targets: relation(s.relation), needsNoTransaction: false };
    case 'ReindexStmt': {
      const concurrent = (s.params ?? []).some((p: Node) => p.DefElem?.defname === 'concurrently');
      return { kind: `REINDEX${concurrent ? ' CONCURRENTLY' : ''}`, targets: relation(s.relation), needsNoTransaction: concurrent };
    }
    case 'RenameStmt':
      return {
        kind: `RENAME ${String(s.renameType).replace(/^OBJECT_/, '')}`,
        targets: ['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT'].includes(s.renameType) ? relation(s.relation) : [],
        needsNoTransaction: false,
      };
    case 'CreateTrigStmt':
      return { kind: 'CREATE TRIGGER', targets: relation(s.relation), needsNoTransaction: false };
    case 'LockStmt':
      return { kind: 'LOCK', targets: (s.relations ?? []).flatMap((r: Node) => relation(r.RangeVar)), needsNoTransaction: false };
    case 'DropStmt': {
      const concurrent = !!s.concurrent;
      return { kind: `DROP ${String(s.removeType).replace(/^OBJECT_/, '')}${concurrent ? ' CONCURRENTLY' : ''}`, targets: [], needsNoTransaction: concurrent };
    }
    case 'CreateStmt':
      return { kind: 'CREATE TABLE', targets: [], needsNoTransaction: false, creates: relation(s.relation)[0] };
    case 'TransactionStmt': {
      const k = String(s.kind);
      const control = /BEGIN|START/.test(k) ? 'begin' : /COMMIT/.test(k) && !/PREPARED/.test(k) ? 'commit' : /ROLLBACK$/.test(k) ? 'rollback' : undefined;
      return { kind: k.replace(/^TRANS_STMT_/, ''), targets: [], needsNoTransaction: false, control, refused: control ? undefined : `${k.replace(/^TRANS_STMT_/, '')} inside a migration` };
    }
    case 'CopyStmt':
      return {
        kind: 'COPY',
        targets: relation(s.relation),
        needsNoTransaction: false,
        refused: s.is_from && !s.filename ? 'COPY ... FROM STDIN reads data the migration file does not hold; load it another way' : undefined,
      };
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt': {
      const kind = SERVER_STATEMENTS[name]!;
      return { kind, targets: [], needsNoTransaction: true, refused: `${kind} changes the server, not a schema` };
    }
    default:
      return { kind: spaced(name), targets: [], needsNoTransaction: false };
  }
}
