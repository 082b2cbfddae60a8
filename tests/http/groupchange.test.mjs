// A change of target group counts from its changed_at, not from when the case system sends
// it: the old enrolment closes and the new one opens at changed_at, so a meeting between the
// two is not the old group's.  changed_at may not lie ahead (beyond [api] max_clock_skew_s)
// nor before the old enrolment began.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { cli, enrolBody, freshCpr, sleep, sqlite, startServer, tableCounts } from './harness.mjs';

let s;

const iso = (sec) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
const nowSec = () => Math.floor(Date.now() / 1000);
const one = (sql) => sqlite(s.db, sql).trim();

async function enrol() {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { first_meeting_at: '2030-03-01T09:00:00Z' }) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

describe('group change: the time that counts', () => {
  before(async () => {
    s = await startServer({ config: '[api]\nmax_clock_skew_s = 60\n' });
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('closes the old enrolment and opens the new one at changed_at; a later meeting is not the old group\'s', async () => {
    const e = await enrol();
    const began = Number(one(`SELECT created_at FROM enrolments WHERE uuid = '${e.enrolment_id}'`));
    // the change happened one second after enrolment; the meeting was held a second later
    // and recorded on the old enrolment before the case system sent the change
    while (nowSec() < began + 2) await sleep(200);
    const heldAt = began + 2;
    const m = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, { body: { held_at: iso(heldAt), oral_guidance: true } });
    assert.equal(m.status, 200, m.text);
    await sleep(1100);
    const changedAt = began + 1;
    const r = await s.api('PUT', `/api/v1/citizens/${e.citizen_id}/target-group`, {
      body: { target_group: 'kontanthjaelp-jobparat', changed_at: iso(changedAt), next_meeting_at: '2030-05-01T09:00:00Z' },
    });
    assert.equal(r.status, 201, r.text);
    const requested = nowSec();
    assert.ok(requested > changedAt + 1, 'the request came well after changed_at');
    assert.equal(Number(one(`SELECT closed_at FROM enrolments WHERE uuid = '${e.enrolment_id}'`)), changedAt);
    assert.equal(Number(one(`SELECT created_at FROM enrolments WHERE uuid = '${r.json.enrolment_id}'`)), changedAt);
    // the link runs from now, not from changed_at
    const expires = Number(one(`SELECT token_expires_at FROM enrolments WHERE uuid = '${r.json.enrolment_id}'`));
    assert.ok(expires >= requested - 2 + 180 * 86400, 'the new link is valid token_days from now');

    // statistics: the old enrolment was closed by the change before its meeting, so the
    // meeting is not a passed first meeting of dagpenge (the demo citizens' meetings are
    // ahead); the new enrolment counts in its group from changed_at
    const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
    const st = await s.api('GET', `/api/v1/stats?from=${day(-1)}&to=${day(1)}`);
    assert.equal(st.status, 200, st.text);
    const dagpenge = st.json.target_groups.find((g) => g.target_group === 'dagpenge');
    assert.equal(dagpenge.first_meetings_passed, 0, 'the meeting after the change is not the old group\'s');
    assert.equal(dagpenge.correctly_guided, 0);
    const v = cli(['stats', '--db', s.db, '--verify']);
    assert.equal(v.status, 0, v.stderr);
    // the journal keeps changed_at
    const j = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
    assert.equal(j.json.entries.find((x) => x.kind === 'group_changed').data.changed_at, iso(changedAt));
  });

  it('without changed_at the change counts from now', async () => {
    const e = await enrol();
    const t0 = nowSec();
    const r = await s.api('PUT', `/api/v1/citizens/${e.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2030-05-01T09:00:00Z' },
    });
    assert.equal(r.status, 201, r.text);
    const closed = Number(one(`SELECT closed_at FROM enrolments WHERE uuid = '${e.enrolment_id}'`));
    assert.ok(closed >= t0 && closed <= nowSec());
    assert.equal(Number(one(`SELECT created_at FROM enrolments WHERE uuid = '${r.json.enrolment_id}'`)), closed);
  });

  it('changed_at ahead of now (beyond the skew) or before the old enrolment began: 422, nothing written', async () => {
    const e = await enrol();
    const began = Number(one(`SELECT created_at FROM enrolments WHERE uuid = '${e.enrolment_id}'`));
    const url = `/api/v1/citizens/${e.citizen_id}/target-group`;
    const body = (changedAt) => ({ body: { target_group: 'sygedagpenge', changed_at: changedAt, next_meeting_at: '2030-05-01T09:00:00Z' } });
    const counts = tableCounts(s.db);
    for (const [changedAt, what] of [[iso(nowSec() + 3600), 'an hour ahead'], [iso(nowSec() + 120), 'beyond the 60 s skew'],
      [iso(began - 1), 'a second before the enrolment began'], ['2025-01-01T00:00:00Z', 'long before']]) {
      const r = await s.api('PUT', url, body(changedAt));
      assert.equal(r.status, 422, `${what}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_time', what);
      assert.equal(r.json.error.field, 'changed_at', what);
    }
    assert.match((await s.api('PUT', url, body(iso(began - 1)))).json.error.message, /changed_at must not be before the enrolment began/);
    // the message states the rule that is applied: a little ahead is accepted
    assert.match((await s.api('PUT', url, body(iso(nowSec() + 3600)))).json.error.message, /at most 60 seconds ahead of now/);
    // a caseworker who is no user here would hide the new enrolment from every caseworker
    const typo = await s.api('PUT', url, { body: { target_group: 'sygedagpenge', caseworker: 'cw-findes-ikke', next_meeting_at: '2030-05-01T09:00:00Z' } });
    assert.equal(typo.status, 422, typo.text);
    assert.equal(typo.json.error.code, 'invalid_caseworker');
    assert.equal(typo.json.error.field, 'caseworker');
    assert.deepEqual(tableCounts(s.db), counts, 'nothing written');
    assert.equal(one(`SELECT CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END FROM enrolments WHERE uuid = '${e.enrolment_id}'`), '1');
    // within the skew is fine (clocks of two systems differ a little)
    const ok = await s.api('PUT', url, body(iso(nowSec() + 30)));
    assert.equal(ok.status, 201, ok.text);
  });
});
