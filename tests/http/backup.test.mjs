// Backup while the server runs under answer load → restore the copy → `vejled verify`
// passes on it, it holds every submission acknowledged before the backup started, and a
// server started on the restored copy (with the same key file) serves the citizen again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readyCitizen, submit } from './answers.mjs';
import { PG, Server, cli, cliAsync, sleep, sqlite, startServer } from './harness.mjs';

describe('backup and restore', () => {
  let s;
  let restored;
  before(async () => { s = await startServer(); });
  after(async () => {
    if (restored) await restored.cleanup();
    if (s) await s.cleanup();
  });

  it('an online backup taken under load restores and verifies',
    { timeout: 60_000, skip: PG && 'the SQLite file itself (SQLite online backup)' }, async () => {
    const citizens = [];
    for (let i = 0; i < 4; i++) citizens.push(await readyCitizen(s));
    for (const c of citizens) assert.ok(await submit(c));
    const ackedBefore = sqlite(s.db, "SELECT count(*) FROM journal WHERE kind = 'answers_submitted';").trim();
    // a database of some size (about 24 MB), so that the copy takes long enough for answers
    // to be written while it runs
    sqlite(s.db, 'CREATE TABLE ballast(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) INSERT INTO ballast SELECT randomblob(4000) FROM n;');

    // keep submitting, bounded in count, while the backup runs in another process
    let stop = false;
    let during = 0;
    let copying = false;
    const load = Promise.all(citizens.map(async (c) => {
      for (let i = 0; i < 2000 && !stop; i++) {
        const ok = await submit(c);
        if (ok && copying) during++;
      }
    }));
    const copy = path.join(s.dir, 'backup.db');
    await sleep(200);
    copying = true;
    const b = await cliAsync(['backup', '--db', s.db, '--to', copy], { timeoutMs: 45_000 });
    copying = false;
    stop = true;
    await load;
    assert.equal(b.status, 0, `the backup finished under steady answers: ${b.signal || ''} ${b.stderr}`);
    assert.ok(during > 0, 'answers were acknowledged while the backup ran');
    assert.equal(fs.statSync(copy).mode & 0o777, 0o600, 'the copy is readable by its owner only');
    assert.ok(!fs.existsSync(`${copy}-journal`), 'no journal left beside the copy');

    // restore: the copy in a fresh folder, with the key file that protects its CPR numbers
    const dir = fs.mkdtempSync(path.join(s.dir, 'restore-'));
    restored = new Server(dir);
    fs.copyFileSync(copy, restored.db);
    fs.copyFileSync(`${s.db}.key`, `${restored.db}.key`);
    const v = cli(['verify', '--db', restored.db]);
    assert.equal(v.status, 0, `verify on the restored copy: ${v.stdout}${v.stderr}`);
    assert.equal(sqlite(restored.db, 'PRAGMA integrity_check;').trim(), 'ok');
    const inCopy = sqlite(restored.db, "SELECT count(*) FROM journal WHERE kind = 'answers_submitted';").trim();
    assert.ok(Number(inCopy) >= Number(ackedBefore), `${inCopy} submissions in the copy, ${ackedBefore} before it`);

    await restored.start();
    restored.key = s.key;
    const r = await restored.api('GET', `/api/v1/enrolments/${citizens[0].enrolment}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.score.answered > 0, 'the restored enrolment has its answers');
    await restored.stop();
    await s.stop();
  });

  it('a backup that cannot be written says why and leaves nothing; an existing file is never overwritten',
    { skip: PG && 'the SQLite file itself' }, () => {
    const missing = path.join(s.dir, 'no-such-folder', 'backup.db');
    let b = cli(['backup', '--db', s.db, '--to', missing]);
    assert.equal(b.status, 1, b.stderr);
    assert.match(b.stderr, /cannot create .*no-such-folder\/backup\.db: No such file or directory/);
    assert.ok(!fs.existsSync(path.dirname(missing)));
    const taken = path.join(s.dir, 'taken.db');
    fs.writeFileSync(taken, 'not a database');
    b = cli(['backup', '--db', s.db, '--to', taken]);
    assert.notEqual(b.status, 0);
    assert.match(b.stderr, /already exists/);
    assert.equal(fs.readFileSync(taken, 'utf8'), 'not a database', 'the file is untouched');
  });

  it('on PostgreSQL `vejled backup` refuses, names pg_dump, and writes no file', { skip: !PG && 'PostgreSQL only' }, async () => {
    const copy = path.join(s.dir, 'backup.db');
    const b = cli(['backup', '--db', s.db, '--to', copy]);
    assert.notEqual(b.status, 0, 'backup of a PostgreSQL database fails');
    assert.match(b.stderr, /pg_dump/);
    assert.ok(!fs.existsSync(copy), 'no file written');
    await s.stop();
  });
});
