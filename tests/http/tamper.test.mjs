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
});
