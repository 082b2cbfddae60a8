// Least privilege on PostgreSQL (only when the suite runs on PostgreSQL), as the README's
// "Roles and least privilege" sets it up: an owner role migrates the schema and runs
// db/postgres-grants.sql; the service role runs the server, which enrols, answers and
// journals, yet cannot change or remove a journal entry, a checkpoint, or an access-log
// row, cannot create tables, and `vejled verify` works as the service role.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { PG, PG_URL, ROOT, Server, cli, enrolBody, freshCpr, psql } from './harness.mjs';

function asRole(url, role) {
  const u = new URL(url);
  u.username = role;
  return u.toString();
}

/** psql as a role; {status, stderr} without throwing. */
function tryPsql(url, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('PostgreSQL roles: the service role cannot rewrite the record', { skip: !PG && 'runs on PostgreSQL only' }, () => {
  let s;
  let dir;
  const name = `roles_${process.pid}`;
  let ownerUrl;
  let serviceUrl;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vejled-roles-'));
    psql(PG_URL, `CREATE ROLE ${name}_owner LOGIN; CREATE ROLE ${name}_service LOGIN;
      CREATE DATABASE ${name} OWNER ${name}_owner;`);
    const dbUrl = new URL(PG_URL);
    dbUrl.pathname = `/${name}`;
    ownerUrl = asRole(dbUrl.toString(), `${name}_owner`);
    serviceUrl = asRole(dbUrl.toString(), `${name}_service`);
    psql(asRole(dbUrl.toString(), 'vejled'), 'REVOKE CREATE ON SCHEMA public FROM PUBLIC;');
    const conf = path.join(dir, 'v.ini');
    fs.writeFileSync(conf, `[database]\nkey_file = ${dir}/v.key\nsign_key_file = ${dir}/v.sign.key\n` +
      `[delivery]\nscheduler = 0\noutbox_dir = ${dir}/outbox\n`);
    // the owner migrates and loads the demo content, then grants
    let r = cli(['demo', '--db', ownerUrl, '--config', conf]);
    assert.equal(r.status, 0, r.stderr);
    r = cli(['apikey', 'add', '--db', ownerUrl, '--config', conf, '--name', 'roles']);
    assert.equal(r.status, 0, r.stderr);
    const key = r.stdout.trim();
    const g = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', `service=${name}_service`,
      '-f', path.join(ROOT, 'db', 'postgres-grants.sql'), ownerUrl], { encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    // the service role runs the server
    s = new Server(dir);
    s.db = serviceUrl;
    s.key = key;
    s.serveArgs = ['--config', conf];
    await s.start();
  });

  after(async () => {
    if (s?.proc && !s.exit) await s.stop();
    spawnSync('psql', ['-X', '-q', PG_URL, '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
    spawnSync('psql', ['-X', '-q', PG_URL, '-c', `DROP ROLE IF EXISTS ${name}_service; DROP ROLE IF EXISTS ${name}_owner;`]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves, enrols and journals as the service role; the record cannot be rewritten by it', async () => {
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(r.status, 201, r.text);
    const n = Number(psql(serviceUrl, 'SELECT count(*) FROM journal;').trim());
    assert.ok(n >= 1, 'the service role wrote journal entries');
    for (const sql of ["UPDATE journal SET kind = 'x'", 'DELETE FROM journal', 'TRUNCATE journal',
      'DELETE FROM access_log', "UPDATE account_log SET event = 'x'", 'DELETE FROM checkpoints',
      'DELETE FROM schema_migrations', 'CREATE TABLE t (x int)',
      'ALTER TABLE journal DISABLE TRIGGER USER']) {
      const t = tryPsql(serviceUrl, sql);
      assert.notEqual(t.status, 0, `the service role may not: ${sql}`);
      assert.match(t.stderr, /permission denied|must be owner/, `${sql}: ${t.stderr}`);
    }
    assert.equal(Number(psql(serviceUrl, 'SELECT count(*) FROM journal;').trim()), n, 'the journal is as it was');
    await s.stop();
    const v = cli(['verify', '--db', serviceUrl]);
    assert.equal(v.status, 0, `verify as the service role: ${v.stdout}${v.stderr}`);
  });
});
