// The citizen pages after the first meeting: once it is recorded as held (API) or its planned
// time has passed, the pages speak of it in the past tense and no longer offer to hear the
// guidance at the meeting instead or to move the meeting; a late POST to decline is refused
// and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  Browser, backdateEnrolment, decodeEntities, enrolBody, freshCpr, parseForms, parseLinks, sqlite, startServer,
} from './harness.mjs';

let s;

async function enrol(overrides = {}) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), overrides) });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, path: new URL(r.json.link).pathname };
}

async function open(e) {
  const b = new Browser(s);
  assert.equal((await b.get(e.path)).status, 303);
  return b;
}

/* The visible text of a page, tags dropped, spaces folded. */
function textOf(html) {
  return decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}

async function status(id) {
  const r = await s.api('GET', `/api/v1/enrolments/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function journalKinds(citizenId) {
  const r = await s.api('GET', `/api/v1/citizens/${citizenId}/journal`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries.map((j) => j.kind);
}

/* What every page after the meeting must not say or offer. */
function assertNoFutureOffer(html, what) {
  const t = textOf(html);
  assert.ok(!t.includes('Dit møde med jobcentret er '), `${what}: no future tense: ${t}`);
  assert.ok(!parseLinks(html).includes('/borger/fravalg'), `${what}: no link to decline`);
  assert.ok(!parseForms(html).some((f) => f.action === '/borger/fravalg'), `${what}: no form to decline`);
  assert.ok(!t.includes('så flytter vi mødet'), `${what}: no offer to move the meeting`);
  assert.ok(!t.includes('forberede din samtale'), `${what}: the footer does not speak of the meeting as ahead`);
  assert.ok(!t.includes('Vil du hellere høre om det til mødet'), `${what}: no decline heading`);
}

async function assertLateDeclineRefused(b, e) {
  const before = await journalKinds(e.citizen_id);
  const page = await b.get('/borger/fravalg');
  assert.equal(page.status, 200);
  assert.match(textOf(page.text), /Tiden for mødet er gået/);
  assertNoFutureOffer(page.text, 'decline page');
  const csrf = parseForms(page.text).flatMap((f) => f.inputs).find((i) => i.name === 'csrf').value;
  const r = await b.post('/borger/fravalg', { csrf });
  assert.equal(r.status, 409, r.text.slice(0, 300));
  const t = textOf(r.text);
  assert.match(t, /Dit valg er ikke gemt, fordi tiden for mødet er gået\./);
  const after = await status(e.enrolment_id);
  assert.equal(after.declined_at ?? null, null, 'not declined');
  assert.notEqual(after.status, 'declined');
  assert.deepEqual(await journalKinds(e.citizen_id), before, 'nothing journalled');
}

describe('citizen pages after the first meeting', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('before the meeting: future tense, decline and moving offered (the control)', async () => {
    const e = await enrol({ first_meeting_at: '2030-03-01T09:00:00Z' });
    const b = await open(e);
    const o = await b.get('/borger');
    assert.match(textOf(o.text), /Dit møde med jobcentret er /);
    assert.ok(parseLinks(o.text).includes('/borger/fravalg'));
    assert.match(textOf((await b.get('/borger/kvittering')).text), /så flytter vi mødet/);
  });

  it('recorded as held: past tense with the recorded time; no decline, no moving; a late decline is refused', async () => {
    const e = await enrol({ first_meeting_at: '2030-03-01T09:00:00Z' });
    const b = await open(e);
    backdateEnrolment(s.db, e.enrolment_id, new Date(Date.now() - 3 * 86400_000));
    const held = new Date(Date.now() - 86400_000);
    held.setUTCSeconds(0, 0);
    const r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, {
      body: { held_at: held.toISOString().replace(/\.\d+Z$/, 'Z'), oral_guidance: true },
    });
    assert.equal(r.status, 200, r.text);
    for (const p of ['/borger', '/borger/kvittering']) {
      const page = await b.get(p);
      assert.equal(page.status, 200, p);
      assert.match(textOf(page.text), p === '/borger' ? /Dit møde med jobcentret blev holdt / : /Dit møde Holdt /, p);
      assert.ok(!textOf(page.text).includes('2030'), `${p}: not the planned time`);
      assertNoFutureOffer(page.text, p);
    }
    await assertLateDeclineRefused(b, e);
    // the same in Arabic
    const csrf = parseForms((await b.get('/borger')).text).flatMap((f) => f.inputs).find((i) => i.name === 'csrf').value;
    assert.equal((await b.post('/borger/sprog', { csrf, lang: 'ar', back: '/borger' })).status, 303);
    const ar = await b.get('/borger');
    assert.match(textOf(ar.text), /عُقد اجتماعك مع مركز العمل في/);
    // the date and time kept in their order on a right-to-left page
    assert.match(ar.text, /<strong><bdi dir="ltr">\d{4}-\d\d-\d\d \d\d:\d\d<\/bdi><\/strong>/);
    assert.ok(!parseLinks(ar.text).includes('/borger/fravalg'));
  });

  it('planned time passed without a record: "was planned for"; no decline, no moving; a late decline is refused', async () => {
    const e = await enrol({ first_meeting_at: '2030-03-01T09:00:00Z' });
    const b = await open(e);
    const past = Math.floor(Date.now() / 1000) - 3600;
    sqlite(s.db, `UPDATE enrolments SET first_meeting_at = ${past} WHERE uuid = '${e.enrolment_id}';`);
    const o = await b.get('/borger');
    assert.match(textOf(o.text), /Dit møde med jobcentret var planlagt til /);
    assertNoFutureOffer(o.text, 'overview');
    const rc = await b.get('/borger/kvittering');
    assert.match(textOf(rc.text), /Var planlagt til /);
    assertNoFutureOffer(rc.text, 'receipt');
    await assertLateDeclineRefused(b, e);
  });
});
