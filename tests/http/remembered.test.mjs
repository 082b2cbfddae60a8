// A citizen's pages are answered from what the server remembers only while nothing has
// been committed to the database since (on SQLite; on PostgreSQL they always ask): a
// change committed by another process — the sqlite3 tool, or a second server on the same
// database — shows on the very next page of a server that has just served that page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { readyCitizen } from './answers.mjs';
import { Browser, Server, sqlite, startServer } from './harness.mjs';

const ANSWERED_BEFORE = 'Du har svaret før.';
/** "Du har svaret på <strong>n</strong>" of the overview. */
function answeredOf(html) {
  const m = html.match(/Du har svaret på <strong>(\d+)<\/strong>/);
  assert.ok(m, 'the overview says how many questions are answered');
  return Number(m[1]);
}

describe('a page is as new as the database', () => {
  let s; // the server whose pages are watched
  let other; // a second server on the same database
  let c; // the citizen, on s
  before(async () => {
    s = await startServer();
    other = new Server(s.dir);
    other.db = s.db;
    other.serveArgs = s.serveArgs;
    await other.start();
    c = await readyCitizen(s);
  });
  after(async () => {
    if (other) await other.stop();
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('shows what another process changed on the next page', async () => {
    const group = `(SELECT group_id FROM enrolments WHERE uuid = '${c.enrolment}')`;
    const name = sqlite(s.db, `SELECT name_da FROM target_groups WHERE id = ${group};`).trim();
    for (let i = 0; i < 3; i++) {
      const o = await c.browser.get('/borger');
      assert.equal(o.status, 200);
      assert.ok(o.text.includes(`<p class="font-lead">${name}</p>`), 'the group on the overview');
    }
    sqlite(s.db, `UPDATE target_groups SET name_da = 'Omdøbt målgruppe' WHERE id = ${group};`);
    const o = await c.browser.get('/borger');
    assert.ok(o.text.includes('<p class="font-lead">Omdøbt målgruppe</p>'), 'the new name');
    assert.ok(!o.text.includes(`<p class="font-lead">${name}</p>`));
  });

  it('shows the answers given on another server on the next page', async () => {
    for (let i = 0; i < 3; i++) {
      const v = await c.browser.get('/borger/video/1');
      assert.equal(v.status, 200);
      assert.ok(!v.text.includes(ANSWERED_BEFORE), 'nothing answered yet');
      assert.equal(answeredOf((await c.browser.get('/borger')).text), 0);
    }
    const twin = new Browser(other);
    twin.cookies = new Map(c.browser.cookies);
    const r = await twin.post('/borger/video/1', c.fields);
    assert.equal(r.status, 303, r.text);
    const v = await c.browser.get('/borger/video/1');
    assert.equal(v.text.split(ANSWERED_BEFORE).length - 1, c.questions, 'each one answered');
    assert.equal(answeredOf((await c.browser.get('/borger')).text), c.questions);
  });

  it('refuses the session another process ended on the next page', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await c.browser.get('/borger')).status, 200);
    sqlite(s.db, `DELETE FROM citizen_sessions WHERE enrolment_id =
      (SELECT id FROM enrolments WHERE uuid = '${c.enrolment}');`);
    assert.equal((await c.browser.get('/borger')).status, 403);
    assert.equal((await c.browser.get('/borger/video/1')).status, 403);
  });
});
