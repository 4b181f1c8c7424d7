/** What a statement is, as building a scratch schema and filling it need to know: about roles (not run), foreign keys it adds (met by the rows). */
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

test('a foreign key added to an existing table is described with its columns and the table it references', async (t) => {
  const text = 'ALTER TABLE "Shortcode" ADD COLUMN x int, ADD CONSTRAINT fk FOREIGN KEY ("creatorUid", org) REFERENCES app."User" (uid, org);\nALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;\n';
  const m = await parseMigration({ path: 'fk.sql', format: 'plain', name: 'fk.sql', text, noTransaction: false });
  t.deepEqual(JSON.parse(JSON.stringify(m.statements.map((s) => s.addsForeignKeys))), [
    [{ table: { name: 'Shortcode' }, columns: ['creatorUid', 'org'], parent: { schema: 'app', name: 'User' }, parentColumns: ['uid', 'org'] }],
    [{ table: { name: 'a' }, columns: ['b_id'], parent: { name: 'b' }, parentColumns: [] }],
  ]);
});
