// `vejled copy --from FILE.db --to postgresql://…` (only when the suite runs on
// PostgreSQL): an SQLite installation with citizens, answers, a meeting and a purged
// citizen moves into an empty PostgreSQL database; the row counts of every table are equal
// on both sides, the journal verifies there, the statistics aggregates equal a recount,
// a server on PostgreSQL with the same key files opens the old link and answers the API,
// and a second copy into the now filled database is refused without changing anything.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readyCitizen, submit } from './answers.mjs';
import { PG, PG_URL, Server, cli, enrolBody, freshCpr, pgDatabaseUrl, psql, sqlite, tableCounts } from './harness.mjs';

describe('vejled copy: from an SQLite file to PostgreSQL', { skip: !PG && 'runs on PostgreSQL only' }, () => {
  let dir;
  let file;
  let conf;
  let target;
  let link;
  let enrolment;
  const name = `copy_${process.pid}`;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vejled-copy-'));
    file = path.join(dir, 'v.db');
    conf = path.join(dir, 'v.ini');
    // the SQLite installation's key files and outbox, named for both servers
    fs.writeFileSync(conf, `[database]\nkey_file = ${file}.key\nsign_key_file = ${file}.sign.key\n` +
      `[delivery]\nscheduler = 0\noutbox_dir = ${dir}/outbox\n`);
    let r = cli(['demo', '--db', file, '--config', conf]);
    assert.equal(r.status, 0, r.stderr);
    r = cli(['apikey', 'add', '--db', file, '--config', conf, '--name', 'copy']);
    assert.equal(r.status, 0, r.stderr);
    const s = new Server(dir);
    s.db = file;
    s.key = r.stdout.trim();
    s.serveArgs = ['--config', conf];
    await s.start();
    try {
      const c = await readyCitizen(s);
      assert.ok(await submit(c), 'answers acknowledged');
    } finally {
      await s.stop();
    }
    // that citizen's personal data leaves (as decades later), the anonymous rows stay
    r = cli(['purge', '--db', file, '--config', conf, '--older-than', '1d', '--now', '2099-01-01T00:00:00Z']);
    assert.equal(r.status, 0, `purge: ${r.stderr}`);
    await s.start();
    try {
      const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
      assert.equal(e.status, 201, e.text);
      link = new URL(e.json.link).pathname;
      enrolment = e.json.enrolment_id;
    } finally {
      await s.stop();
    }
    r = cli(['jobs', 'run', '--db', file, '--config', conf]);
    assert.equal(r.status, 0, `jobs run: ${r.stderr}`);
    psql(PG_URL, `CREATE DATABASE ${name};`);
    target = pgDatabaseUrl(name);
  });

  after(() => {
    psql(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE);`);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies every row; counts equal, journal and statistics verify on the target', () => {
    const r = cli(['copy', '--from', file, '--to', target, '--config', conf]);
    assert.equal(r.status, 0, `copy: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /the same counts on both sides; journal intact/);
    const from = tableCounts(file);
    const to = tableCounts(target);
    assert.deepEqual(to, from, 'every table has as many rows on both sides');
    assert.ok(from.journal > 5 && from.answers > 0 && from.stats_enrolment > 0, 'there was something to copy');
    // the same bytes, not only the same counts: the journal's chain and a sealed CPR
    assert.equal(psql(target, 'SELECT seq, hash FROM journal ORDER BY seq;').trim(),
      sqlite(file, 'SELECT seq, hash FROM journal ORDER BY seq;').trim());
    assert.equal(psql(target, "SELECT encode(cpr_box, 'hex') FROM citizens ORDER BY id;").trim(),
      sqlite(file, 'SELECT lower(hex(cpr_box)) FROM citizens ORDER BY id;').trim());
    const v = cli(['verify', '--db', target, '--config', conf]);
    assert.equal(v.status, 0, `verify: ${v.stdout}${v.stderr}`);
    const st = cli(['stats', '--db', target, '--config', conf, '--verify']);
    assert.equal(st.status, 0, `stats --verify: ${st.stdout}${st.stderr}`);
  });

  it('a server on the copy opens the old link, answers the API and numbers new rows after the copied ones', async () => {
    const s = new Server(dir);
    s.db = target;
    s.serveArgs = ['--config', conf];
    const r = cli(['apikey', 'add', '--db', target, '--config', conf, '--name', 'after']);
    assert.equal(r.status, 0, r.stderr);
    s.key = r.stdout.trim();
    await s.start();
    try {
      const open = await s.request('GET', link);
      assert.equal(open.status, 303, 'the link made before the move still opens');
      const got = await s.api('GET', `/api/v1/enrolments/${enrolment}`);
      assert.equal(got.status, 200, got.text);
      const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
      assert.equal(e.status, 201, `a new enrolment after the copy: ${e.text}`);
    } finally {
      await s.stop();
    }
    const v = cli(['verify', '--db', target, '--config', conf]);
    assert.equal(v.status, 0, `verify after new writes: ${v.stdout}${v.stderr}`);
  });

  it('refuses a target that holds data, and changes nothing there', () => {
    const before = tableCounts(target);
    const r = cli(['copy', '--from', file, '--to', target, '--config', conf]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /already holds data/);
    assert.doesNotMatch(r.stderr, /@127\.0\.0\.1:\d+\/.*:.*@/, 'no credentials in the message');
    assert.deepEqual(tableCounts(target), before);
  });
});
