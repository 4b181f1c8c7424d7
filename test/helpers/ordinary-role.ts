/** A role with no special privileges that owns a database of its own: what managed servers give teams. */
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { connect } from '../../src/db/connect.js';
import { q, testUrl } from './db.js';

/**
 * The URL of an ordinary role. As a superuser (the embedded server in CI), a role and a database it
 * owns are created and dropped when the test ends; when the tests already run as an ordinary role,
 * that role is used as it is.
 */
export async function ordinaryRoleUrl(t: ExecutionContext): Promise<string> {
  const admin = await connect(testUrl(), 'pgmb-test-admin');
  try {
    const superuser = (await admin.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user')).rows[0]!.s;
    if (!superuser) return testUrl();
    const name = `pgmb_ord_${process.pid}_${randomBytes(3).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await admin.query(`CREATE ROLE ${q(name)} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE DATABASE ${q(name)} OWNER ${q(name)}`);
    t.teardown(async () => {
      const c = await connect(testUrl(), 'pgmb-test-admin');
      await c.query(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${q(name)}`);
      await c.end();
    });
    const url = new URL(testUrl());
    url.username = name;
    url.password = password;
    url.pathname = `/${name}`;
    return url.toString();
  } finally {
    await admin.end();
  }
}
