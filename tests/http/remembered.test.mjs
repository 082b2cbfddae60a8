// A citizen's pages are answered from what the server remembers only while nothing has
// been committed to the database since (on SQLite; on PostgreSQL they always ask): a
// change committed by another process — the sqlite3 tool, or a second server on the same
// database — shows on the very next page of a server that has just served that page.
// And while nothing was committed, a page asked for again asks the database nothing (the
// test build tells each request's statements in X-Vejled-Test-Statements): the session's
// enrolment with its meeting, the progress and the group are remembered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { readyCitizen, submit } from './answers.mjs';
import { BIN, Browser, PG, Server, isTestBuild, nowIso, sqlite, startServer } from './harness.mjs';

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

const skip = PG ? 'remembered reads are SQLite only' : !isTestBuild(BIN) ? 'needs a test build' : false;

describe('a repeated citizen page asks the database nothing', { skip }, () => {
  let s;
  let c;
  before(async () => {
    s = await startServer();
    c = await readyCitizen(s);
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  /** The statements of a GET of p (first), and the fewest of the GETs that follow it with
   * nothing committed in between: each of the server's threads remembers on its own
   * connection, so a request may meet a thread that has not yet read the page. */
  async function again(p) {
    const first = await c.browser.get(p);
    assert.equal(first.status, 200, `${p}: ${first.status}`);
    assert.ok(first.headers['x-vejled-test-statements'] !== undefined, `${p}: the test build counts statements`);
    let fewest = Infinity;
    let text = '';
    for (let i = 0; i < 12 && fewest > 0; i++) {
      const r = await c.browser.get(p);
      assert.equal(r.status, 200, `${p}: ${r.status}`);
      fewest = Math.min(fewest, Number(r.headers['x-vejled-test-statements']));
      text = r.text;
    }
    return { first: Number(first.headers['x-vejled-test-statements']), second: fewest, text };
  }

  it('the overview, a video page, the feedback, the receipt and the decline page', async () => {
    for (const p of ['/borger', '/borger/video/1', '/borger/video/2', '/borger/kvittering', '/borger/fravalg']) {
      const r = await again(p);
      assert.equal(r.second, 0, `${p} asked again: ${r.second} statements`);
    }
  });

  it('after an answer and after the meeting is recorded, the page reads again and says so', async () => {
    assert.ok(await submit(c), 'answers acknowledged');
    const fb = await again('/borger/video/1/svar');
    assert.ok(fb.first > 0, 'the feedback after answering is read from the database');
    assert.equal(fb.second, 0, 'and then remembered');
    const before = await again('/borger');
    assert.equal(before.second, 0);
    const r = await s.api('POST', `/api/v1/enrolments/${c.enrolment}/meeting`,
      { body: { held_at: nowIso(), oral_guidance: true } });
    assert.ok(r.status === 200 || r.status === 201, `meeting recorded: ${r.status} ${r.text}`);
    const after = await again('/borger');
    assert.ok(after.first > 0, 'the overview after the meeting is read from the database');
    assert.equal(after.second, 0, 'and then remembered');
    assert.notEqual(after.text, before.text, 'the overview tells of the meeting held');
  });
});
