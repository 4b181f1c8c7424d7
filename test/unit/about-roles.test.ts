/** Statements about production's roles (the whole server's) are not run when a scratch schema is built. */
import test from 'ava';
import { parseMigration } from '../../src/migrations/index.js';

test("roles, privileges, owners and row-level security policies are about production's roles; the schema's shape is not", async (t) => {
  const text = [
    'CREATE ROLE anonymous NOINHERIT;',
    'GRANT anonymous TO masteruser;',
    'GRANT SELECT ON ALL TABLES IN SCHEMA apt TO anonymous;',
    'ALTER TABLE apt.t OWNER TO app;',
    'CREATE POLICY anon ON apt.t TO anonymous USING (true);',
    'DROP POLICY anon ON apt.t;',
    'ALTER ROLE app SET search_path = apt;',
    'DROP ROLE anonymous;',
    'ALTER TABLE apt.t ENABLE ROW LEVEL SECURITY;',
    'CREATE TABLE apt.u (id int);',
  ].join('\n');
  const m = await parseMigration({ path: 'roles.sql', format: 'plain', name: 'roles.sql', text, noTransaction: false });
  t.deepEqual(
    m.statements.map((s) => !!s.aboutRoles),
    [true, true, true, true, true, true, true, true, false, false],
  );
});
