// Recording the first meeting and changing the target group over the API:
// answers, journal entries, job moves and cancellations, and bad input that changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { backdateEnrolment, enrolBody, freshCpr, hexOf, nowIso, sqlite, startServer, tableCounts } from './harness.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NOTE = 'Talte om rådighed og jobsøgning; borgeren forstod pligterne. Æble, Øl, Ål.';

let s;
const cprs = [];

function cpr() {
  const c = freshCpr();
  cprs.push(c);
  return c;
}

async function enrol(overrides = {}) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr(), overrides) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

function jobs(enrolmentId) {
  return sqlite(s.db, `SELECT j.kind, j.state, j.due_at FROM jobs j JOIN enrolments e ON e.id = j.enrolment_id
    WHERE e.uuid = '${enrolmentId}' ORDER BY j.id;`)
    .split('\n').filter(Boolean).map((l) => {
      const [kind, state, due] = l.split('|');
      return { kind, state, due: Number(due) * 1000 };
    });
}

function journal(kind) {
  return sqlite(s.db, `SELECT data FROM journal WHERE kind = '${kind}' ORDER BY seq;`)
    .split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.code, code, r.text);
  if (field === undefined) assert.ok(!('field' in r.json.error), r.text);
  else assert.equal(r.json.error.field, field, r.text);
}

describe('meeting and group change', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) {
      await s.stop();
      // the CPR is in no response, and the note in no log line
      const all = s.allReceived().join('\n') + s.stderr;
      for (const c of cprs) assert.ok(!all.includes(c), 'a CPR leaked');
      assert.ok(!s.stderr.includes('rådighed'), 'the note leaked into the log');
      await s.cleanup();
    }
  });

  it('records the meeting: 200 with oral guidance and the meeting; resend moved, reminder cancelled', async () => {
    const e = await enrol({ first_meeting_at: '2030-03-01T09:00:00Z' });
    const before = jobs(e.enrolment_id);
    assert.deepEqual(before.map((j) => j.kind), ['send_written_guidance', 'remind_before_meeting', 'resend_written_guidance']);
    backdateEnrolment(s.db, e.enrolment_id, '2026-01-02T08:00:00Z');
    const r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, {
      body: { held_at: '2026-01-31T09:30:00Z', oral_guidance: true, note: NOTE },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.enrolment_id, e.enrolment_id);
    assert.equal(r.json.oral_guidance_recorded, true);
    assert.equal(r.json.meeting.held_at, '2026-01-31T09:30:00Z');
    assert.equal(r.json.meeting.oral_guidance, true);
    assert.equal(r.json.meeting.note, NOTE);
    assert.equal(r.json.meeting.recorded_by, 'api');
    const g = await s.api('GET', `/api/v1/enrolments/${e.enrolment_id}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.json.meeting, r.json.meeting);
    assert.equal(g.json.oral_guidance_recorded, true);
    // 31 January + 6 months is the last day of July, 10:30 Copenhagen summer time = 08:30Z
    const after = jobs(e.enrolment_id);
    assert.equal(after[2].kind, 'resend_written_guidance');
    assert.equal(new Date(after[2].due).toISOString(), '2026-07-31T08:30:00.000Z');
    assert.equal(after[1].state, 'cancelled', 'no reminder once the meeting is held');
    assert.equal(after[0].state === 'cancelled', false);
    // journalled without the note itself
    const j = journal('meeting_recorded').at(-1);
    assert.equal(j.held_at, '2026-01-31T09:30:00Z');
    assert.equal(j.oral_guidance, true);
    assert.equal(j.resend_due_at, '2026-07-31T08:30:00Z');
    assert.match(j.note_digest, /^[0-9a-f]{64}$/);
    assert.ok(!sqlite(s.db, 'SELECT data FROM journal;').includes('rådighed'), 'the note is not in the journal');
    assert.ok(!sqlite(s.db, `SELECT ${hexOf(s.db, 'note_box')} FROM meetings;`).includes(Buffer.from('rådighed').toString('hex').toUpperCase()),
      'the note is stored sealed');
  });

  it('a meeting without oral guidance and without a note; recording again corrects it', async () => {
    const e = await enrol();
    backdateEnrolment(s.db, e.enrolment_id, '2026-02-02T08:00:00Z');
    let r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, {
      body: { held_at: '2026-02-02T10:00:00+01:00', oral_guidance: false },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.oral_guidance_recorded, false);
    assert.equal(r.json.meeting.held_at, '2026-02-02T09:00:00Z');
    assert.equal(r.json.meeting.note, null);
    r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, {
      body: { held_at: '2026-02-03T09:00:00Z', oral_guidance: true, note: 'ok' },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.oral_guidance_recorded, true);
    assert.equal(r.json.meeting.held_at, '2026-02-03T09:00:00Z');
    // 10:00 winter time + 6 months = 10:00 summer time = 08:00Z
    assert.equal(jobs(e.enrolment_id)[2].due, Date.parse('2026-08-03T08:00:00Z'));
  });

  it('bad meeting input is 422 naming the field, and writes nothing', async () => {
    const e = await enrol();
    const url = `/api/v1/enrolments/${e.enrolment_id}/meeting`;
    const cases = [
      [{ oral_guidance: true }, 'held_at'],
      [{ held_at: 'yesterday', oral_guidance: true }, 'held_at'],
      [{ held_at: '2026-02-30T09:00:00Z', oral_guidance: true }, 'held_at'],
      [{ held_at: '2099-01-01T09:00:00Z', oral_guidance: true }, 'held_at'],
      [{ held_at: 1767600000, oral_guidance: true }, 'held_at'],
      [{ held_at: '2026-01-05T09:00:00Z' }, 'oral_guidance'],
      [{ held_at: '2026-01-05T09:00:00Z', oral_guidance: 'yes' }, 'oral_guidance'],
      [{ held_at: '2026-01-05T09:00:00Z', oral_guidance: true, note: 42 }, 'note'],
      [{ held_at: '2026-01-05T09:00:00Z', oral_guidance: true, note: 'æ'.repeat(4001) }, 'note'],
    ];
    const counts = tableCounts(s.db);
    for (const [body, field] of cases) {
      const r = await s.api('POST', url, { body });
      assertError(r, 422, r.json?.error?.code, field);
    }
    assertError(await s.api('POST', url, { body: '[1,2]' }), 422, 'invalid_body');
    assertError(await s.api('POST', url, { body: '{"held_at": ' }), 400, 'malformed_json');
    assert.equal((await s.api('POST', url, { body: {}, key: 'nope' })).status, 401);
    assert.deepEqual(tableCounts(s.db), counts, 'nothing written');
    // at the limit it is fine: 4000 characters of two bytes each
    const ok = await s.api('POST', url, { body: { held_at: nowIso(), oral_guidance: true, note: 'æ'.repeat(4000) } });
    assert.equal(ok.status, 200, ok.text);
  });

  it('a meeting before the enrolment began, or more than a day ahead, is 422 invalid_time saying the rule, and changes nothing', async () => {
    const e = await enrol();
    const url = `/api/v1/enrolments/${e.enrolment_id}/meeting`;
    const began = sqlite(s.db, `SELECT created_at FROM enrolments WHERE uuid = '${e.enrolment_id}';`).trim();
    const beganIso = new Date(Number(began) * 1000).toISOString().replace('.000Z', 'Z');
    const counts = tableCounts(s.db);
    const journalBefore = journal('meeting_recorded').length;
    for (const ago of [330 * 86400, 60]) {
      const held = new Date((Number(began) - ago) * 1000).toISOString().replace('.000Z', 'Z');
      const r = await s.api('POST', url, { body: { held_at: held, oral_guidance: true, note: 'før' } });
      assertError(r, 422, 'invalid_time', 'held_at');
      assert.equal(r.json.error.message, `held_at must not be before ${beganIso} (when the enrolment began, or its first meeting as planned when that was earlier).`);
    }
    const ahead = new Date(Date.now() + 2 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await s.api('POST', url, { body: { held_at: ahead, oral_guidance: true } });
    assertError(r, 422, 'invalid_time', 'held_at');
    assert.match(r.json.error.message, /at most a day ahead/);
    assert.doesNotMatch(r.json.error.message, /not in the future/);
    assert.deepEqual(tableCounts(s.db), counts, 'nothing written');
    assert.equal(journal('meeting_recorded').length, journalBefore);
    assert.equal(jobs(e.enrolment_id).filter((j) => j.state === 'cancelled').length, 0, 'no job moved');
    // the moment it began is fine
    const ok = await s.api('POST', url, { body: { held_at: beganIso, oral_guidance: true } });
    assert.equal(ok.status, 200, ok.text);
  });

  it('a citizen registered after the planned first meeting: that meeting can be recorded, nothing before it', async () => {
    const planned = Math.floor(Date.now() / 1000) - 5 * 86400;
    const iso = (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
    const e = await enrol({ first_meeting_at: iso(planned) });
    const url = `/api/v1/enrolments/${e.enrolment_id}/meeting`;
    const before = await s.api('POST', url, { body: { held_at: iso(planned - 86400), oral_guidance: true } });
    assertError(before, 422, 'invalid_time', 'held_at');
    assert.equal(before.json.error.message, `held_at must not be before ${iso(planned)} (when the enrolment began, or its first meeting as planned when that was earlier).`);
    const ok = await s.api('POST', url, { body: { held_at: iso(planned), oral_guidance: true } });
    assert.equal(ok.status, 200, ok.text);
  });

  it('unknown enrolment is 404; a closed one is 409', async () => {
    const counts = tableCounts(s.db);
    const r = await s.api('POST', '/api/v1/enrolments/00000000-0000-4000-8000-000000000000/meeting', {
      body: { held_at: '2026-01-05T09:00:00Z', oral_guidance: true },
    });
    assertError(r, 404, 'not_found');
    assert.deepEqual(tableCounts(s.db), counts);
    const e = await enrol();
    const ch = await s.api('PUT', `/api/v1/citizens/${e.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2030-05-01T09:00:00Z' },
    });
    assert.equal(ch.status, 201, ch.text);
    const before = tableCounts(s.db);
    const c = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, {
      body: { held_at: '2026-01-05T09:00:00Z', oral_guidance: true },
    });
    assertError(c, 409, 'enrolment_closed');
    assert.deepEqual(tableCounts(s.db), before);
  });

  it('changes the target group: old enrolment closed and its jobs cancelled, new one enrolled and scheduled', async () => {
    const e = await enrol({ first_meeting_at: '2030-03-01T09:00:00Z' });
    const t0 = Date.now();
    const changedAt = new Date(Math.floor(t0 / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const r = await s.api('PUT', `/api/v1/citizens/${e.citizen_id}/target-group`, {
      body: { target_group: 'kontanthjaelp-jobparat', changed_at: changedAt, next_meeting_at: '2030-10-31T09:00:00Z' },
    });
    assert.equal(r.status, 201, r.text);
    const n = r.json;
    assert.match(n.enrolment_id, UUID);
    assert.notEqual(n.enrolment_id, e.enrolment_id);
    assert.equal(n.citizen_id, e.citizen_id);
    assert.equal(n.target_group, 'kontanthjaelp-jobparat');
    assert.match(n.link, /\/v\/[A-Za-z0-9_-]{24}$/);
    assert.notEqual(n.link, e.link);
    assert.deepEqual(n.jobs.map((j) => j.kind), ['send_written_guidance', 'remind_before_meeting', 'resend_written_guidance']);
    assert.ok(Math.abs(Date.parse(n.jobs[0].due_at) - t0) < 5000, 'the new guidance goes out at once');
    // 31 October + 6 months = 30 April (the 31st does not exist), 10:00 summer time
    assert.equal(n.jobs[2].due_at, '2031-04-30T08:00:00Z');
    const old = await s.api('GET', `/api/v1/enrolments/${e.enrolment_id}`);
    assert.equal(old.json.status, 'closed');
    assert.ok(jobs(e.enrolment_id).every((j) => j.state !== 'pending'), 'nothing pending for the old enrolment');
    const cur = await s.api('GET', `/api/v1/enrolments/${n.enrolment_id}`);
    assert.equal(cur.json.status, 'not_opened');
    assert.equal(cur.json.target_group, 'kontanthjaelp-jobparat');
    assert.equal(cur.json.meeting, null);
    const j = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
    const kinds = j.json.entries.map((x) => x.kind);
    assert.deepEqual(kinds.slice(-2), ['group_changed', 'enrolled']);
    const gc = j.json.entries.at(-2);
    assert.equal(gc.enrolment_id, e.enrolment_id);
    assert.equal(gc.data.from, 'dagpenge');
    assert.equal(gc.data.to, 'kontanthjaelp-jobparat');
    assert.equal(gc.data.new_enrolment_id, n.enrolment_id);
    assert.equal(gc.data.changed_at, changedAt);
    assert.equal(j.json.entries.at(-1).enrolment_id, n.enrolment_id);
    // the new link works
    const page = await s.request('GET', new URL(n.link).pathname);
    assert.ok([200, 302, 303].includes(page.status), `new link: ${page.status}`);
  });

  it('bad group changes are 422/404/409 and write nothing', async () => {
    const e = await enrol();
    const url = `/api/v1/citizens/${e.citizen_id}/target-group`;
    const good = { target_group: 'sygedagpenge', next_meeting_at: '2030-05-01T09:00:00Z' };
    const counts = tableCounts(s.db);
    const cases = [
      [{ next_meeting_at: good.next_meeting_at }, 'target_group'],
      [{ ...good, target_group: 'nope' }, 'target_group'],
      [{ ...good, target_group: 7 }, 'target_group'],
      [{ target_group: 'sygedagpenge' }, 'next_meeting_at'],
      [{ ...good, next_meeting_at: '2030-13-01T09:00:00Z' }, 'next_meeting_at'],
      [{ ...good, changed_at: 'now' }, 'changed_at'],
    ];
    for (const [body, field] of cases) {
      const r = await s.api('PUT', url, { body });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.field, field, r.text);
    }
    assertError(await s.api('PUT', url, { body: { ...good, target_group: 'dagpenge' } }), 409, 'already_enrolled', 'target_group');
    assertError(await s.api('PUT', '/api/v1/citizens/00000000-0000-4000-8000-000000000000/target-group', { body: good }), 404, 'not_found');
    assertError(await s.api('PUT', url, { body: 'null' }), 422, 'invalid_body');
    assert.equal((await s.api('POST', url, { body: good })).status, 405);
    assert.deepEqual(tableCounts(s.db), counts, 'nothing written');
  });
});
