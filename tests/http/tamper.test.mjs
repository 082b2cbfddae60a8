// Expired links (410) and a tampered journal: `vejled verify` must notice and name the entry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Browser, PG, cli, enrolBody, freshCpr, sqlite, startServer } from './harness.mjs';

let s;

describe('expired links and journal tampering', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  let A;
  let unknownPage;
  let copy;

  it('some activity: an enrolment and an opened link', async () => {
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(r.status, 201, r.text);
    A = { ...r.json, path: new URL(r.json.link).pathname };
    const b = new Browser(s);
    assert.equal((await b.get(A.path)).status, 303);
    assert.equal((await b.get('/borger')).status, 200);
    unknownPage = (await b.get('/v/AAAAAAAAAAAAAAAAAAAAAAAA')).text;
    await s.stop();
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /journal intact/);
  });

  it('an expired link is 410 with a plain page, no session', async () => {
    sqlite(s.db, `UPDATE enrolments SET token_expires_at = 1000 WHERE uuid = '${A.enrolment_id}';`);
    await s.start();
    const b = new Browser(s);
    const r = await b.get(A.path);
    assert.equal(r.status, 410);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.notEqual(r.text, unknownPage, 'says the link has expired');
    assert.ok(!r.text.includes(A.enrolment_id) && !r.text.includes(A.citizen_id));
    const e = await s.api('GET', `/api/v1/enrolments/${A.enrolment_id}`);
    assert.equal(e.status, 200);
    const j = await s.api('GET', `/api/v1/citizens/${A.citizen_id}/journal`);
    assert.deepEqual(j.json.entries.map((x) => x.kind), ['enrolled', 'link_opened'], 'no new opening');
    await s.stop();
  });

  it('a changed journal row: verify exits 1 and names entry 2', () => {
    assert.equal(cli(['verify', '--db', s.db]).status, 0);
    // a copy, untouched, for the next test
    copy = s.copyDatabase('copy');
    sqlite(s.db, `DROP TRIGGER journal_no_update${PG ? ' ON journal' : ''}; UPDATE journal SET data='{"x":1}' WHERE seq=2;`);
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 1, `${v.stdout}\n${v.stderr}`);
    assert.match(v.stderr, /\bentry 2\b/);
    assert.equal(v.stderr.trim().split('\n').length, 1, 'one clear line');
    assert.ok(!/journal intact/.test(v.stdout));
  });

  it('a deleted journal row is found too: verify names the entry after the gap', () => {
    assert.equal(cli(['verify', '--db', copy]).status, 0);
    sqlite(copy, `DROP TRIGGER journal_no_delete${PG ? ' ON journal' : ''}; DELETE FROM journal WHERE seq=2;`);
    const v = cli(['verify', '--db', copy]);
    assert.equal(v.status, 1, `${v.stdout}\n${v.stderr}`);
    assert.match(v.stderr, /\bentry 3\b/);
  });

  it('the journal\'s checkpoint entries and the stored checkpoints must agree: a lost or altered one is named', async () => {
    const t = await startServer({ start: false });
    try {
      // one signed checkpoint, stored and journalled (what the case system received)
      const run = cli(['jobs', 'run', '--db', t.db, '--config', t.configFile]);
      assert.equal(run.status, 0, run.stderr);
      const ok = cli(['verify', '--db', t.db]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /, 1 signed checkpoints/);
      const trig = (name, table) => `DROP TRIGGER ${name}${PG ? ` ON ${table}` : ''};`;

      // the stored checkpoint deleted: the journal still says one was signed
      const lost = t.copyDatabase('lost');
      sqlite(lost, `${trig('checkpoints_no_delete', 'checkpoints')} DELETE FROM checkpoints;`);
      let v = cli(['verify', '--db', lost]);
      assert.equal(v.status, 1, `${v.stdout}\n${v.stderr}`);
      assert.match(v.stderr, /journal entry \d+ records a checkpoint signed at \S+ that is not stored/);

      // the stored checkpoint claims another journal entry as its record
      const moved = t.copyDatabase('moved');
      sqlite(moved, `${trig('checkpoints_no_update', 'checkpoints')} UPDATE checkpoints SET journal_seq = journal_seq - 1;`);
      v = cli(['verify', '--db', moved]);
      assert.equal(v.status, 1, `${v.stdout}\n${v.stderr}`);
      assert.match(v.stderr, /journal entry \d+ differs from the checkpoint signed at/);

    } finally {
      await t.cleanup();
    }
  });
});
