// Two servers that start at once on one PostgreSQL database both migrate it (serve runs
// the migrations at start).  The first one migrates; the others wait for it and then find
// the versions applied.
//
// 1. A new database: the bookkeeping table is made under the migration lock.  PostgreSQL's
//    CREATE TABLE IF NOT EXISTS alone does not keep a second session that creates the same
//    table at the same moment from failing (a unique violation in the catalog,
//    pg_type_typname_nsp_index: four `vejled migrate` at once failed so in 1 of 5 rounds
//    before).  Here the other server's transaction is held open after it made the table,
//    so that the second server must wait for it.
// 2. A migration that takes longer than [database] busy_timeout_ms (an index on a large
//    journal, a data migration): a server starting meanwhile waits for it instead of
//    failing with "lock timeout".
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { PG, PG_URL, ROOT, cliAsync, pgDatabaseUrl, psql, sleep } from './harness.mjs';
import { pgSession, waitFor } from './helpers/pgsession.mjs';

const made = [];
const MIGRATE_LOCK = 130177949237249; // the migration lock's key (store/store_internal.h)
function freshDb() {
  const name = `race_migrate_${process.pid}_${made.length}`;
  psql(PG_URL, `CREATE DATABASE ${name};`);
  made.push(name);
  return pgDatabaseUrl(name);
}

describe('migrations run by servers starting at once', { skip: !PG && 'several servers: PostgreSQL only' }, () => {
  const dirs = [];
  after(() => {
    for (const name of made) psql(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE);`);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a new database: the second server waits for the first one\'s bookkeeping table instead of failing', async () => {
    const db = freshDb();
    const other = await pgSession(db);
    try {
      // the other server's first transaction on the new database, not yet committed: the
      // migration lock, then the bookkeeping table
      await other.run(`BEGIN; SELECT pg_advisory_xact_lock(${MIGRATE_LOCK});`
        + ' CREATE TABLE IF NOT EXISTS schema_migrations ('
        + ' version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);');
      const second = cliAsync(['migrate', '--db', db]);
      await waitFor(db, "wait_event = 'advisory'");
      await other.run('COMMIT;');
      const r = await second;
      assert.equal(r.status, 0, `the second server starts: ${r.stderr}`);
    } finally {
      other.kill();
    }
  });

  it('a migration longer than busy_timeout_ms: the server starting meanwhile waits for it instead of failing', async () => {
    const db = freshDb();
    const first = await cliAsync(['migrate', '--db', db]);
    assert.equal(first.status, 0, first.stderr);
    // the next release brings one more migration that takes a while on a large database
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'race-migrate-'));
    dirs.push(dir);
    fs.cpSync(path.join(ROOT, 'db', 'migrations'), path.join(dir, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'migrations', 'postgres', '0099_slow.sql'), 'SELECT pg_sleep(7);\n');
    const ini = path.join(dir, 'next.ini');
    fs.writeFileSync(ini, `[content]\nmigrations_dir = ${path.join(dir, 'migrations')}\n`); // busy_timeout_ms: the default
    const a = cliAsync(['migrate', '--db', db, '--config', ini]);
    await sleep(1000); // the first server is applying 0099
    const b = cliAsync(['migrate', '--db', db, '--config', ini]);
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.status, 0, ra.stderr);
    assert.equal(rb.status, 0, `the second server waits for the first one's migration and starts: ${rb.stderr}`);
    assert.equal(psql(db, 'SELECT count(*) FROM schema_migrations WHERE version = 99;').trim(), '1');
  });
});
