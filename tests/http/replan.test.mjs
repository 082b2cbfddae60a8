// The first meeting moved before it was held (PUT /api/v1/enrolments/{id}/planned-meeting):
// the reminder goes for the new time, not the old one; the resend moves with it; the
// citizen's overview shows the new time; the journal says from and to.  Not after the
// meeting is recorded, not on a closed enrolment, not with a bad time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Browser, cli, enrolBody, freshCpr, jobsList, startServer } from './harness.mjs';

let s;
const DAY = 86400e3;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/* Whole hours, so that the Copenhagen reminder hour does not depend on the minute. */
const hourAhead = (days) => Math.ceil((Date.now() + days * DAY) / 3600e3) * 3600e3;

async function enrol(meetingMs) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { first_meeting_at: iso(meetingMs) }) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const jobsOf = (e, kind) => jobsList(s.db, e.enrolment_id).filter((j) => j.kind === kind);

async function journal(e) {
  const r = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}

describe('the first meeting planned anew', () => {
  before(async () => { s = await startServer(); });
  after(async () => { if (s) await s.cleanup(); });

  it('moves the reminder and the resend, shows the new time, journals from and to', async () => {
    const old = hourAhead(10);
    const moved = hourAhead(20);
    const e = await enrol(old);
    const [remindBefore] = jobsOf(e, 'remind_before_meeting');
    const [resendBefore] = jobsOf(e, 'resend_written_guidance');
    assert.equal(remindBefore.state, 'pending');

    const r = await s.api('PUT', `/api/v1/enrolments/${e.enrolment_id}/planned-meeting`, { body: { first_meeting_at: iso(moved) } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.first_meeting_at, iso(moved));

    // the old reminder is cancelled; the new one comes 3 days (the default) before the new time
    const reminders = jobsOf(e, 'remind_before_meeting');
    assert.equal(reminders.find((j) => j.id === remindBefore.id).state, 'cancelled');
    const fresh = reminders.filter((j) => j.state === 'pending');
    assert.equal(fresh.length, 1, JSON.stringify(reminders));
    const due = Date.parse(fresh[0].due_at);
    assert.ok(due > moved - 4 * DAY && due < moved - 2 * DAY, `reminder due ${fresh[0].due_at} for ${iso(moved)}`);
    // the resend: the same job, ten days later
    const [resend] = jobsOf(e, 'resend_written_guidance');
    assert.equal(resend.id, resendBefore.id);
    assert.equal(resend.state, 'pending');
    const shift = Date.parse(resend.due_at) - Date.parse(resendBefore.due_at);
    assert.ok(Math.abs(shift - 10 * DAY) <= 3600e3, `resend moved by ${shift / DAY} days`);

    const entry = (await journal(e)).find((x) => x.kind === 'meeting_replanned');
    assert.ok(entry, 'journalled');
    assert.equal(entry.actor, 'api');
    assert.equal(entry.data.from, iso(old));
    assert.equal(entry.data.to, iso(moved));
    assert.equal(entry.data.reminder_due_at, fresh[0].due_at);
    assert.equal(entry.data.resend_due_at, resend.due_at);

    // the citizen sees the new date, not the old one
    const b = new Browser(s);
    await b.follow(new URL(e.link).pathname);
    const page = await b.get('/borger');
    assert.equal(page.status, 200);
    const day = (ms) => new Intl.DateTimeFormat('da-DK', { timeZone: 'Europe/Copenhagen', day: 'numeric', month: 'long' }).format(new Date(ms));
    assert.ok(page.text.includes(day(moved)), `the overview names ${day(moved)}`);
    assert.ok(!page.text.includes(day(old)), `the overview no longer names ${day(old)}`);

    // the same time again: nothing changes, nothing journalled
    const again = await s.api('PUT', `/api/v1/enrolments/${e.enrolment_id}/planned-meeting`, { body: { first_meeting_at: iso(moved) } });
    assert.equal(again.status, 200, again.text);
    assert.equal((await journal(e)).filter((x) => x.kind === 'meeting_replanned').length, 1);
    assert.equal(jobsOf(e, 'remind_before_meeting').length, 2);
    assert.equal(cli(['stats', '--db', s.db, '--verify']).status, 0, 'the statistics follow the new time');
  });

  it('moved to within the reminder\'s days: no reminder (it would be late), the old one cancelled', async () => {
    const e = await enrol(hourAhead(10));
    const r = await s.api('PUT', `/api/v1/enrolments/${e.enrolment_id}/planned-meeting`, { body: { first_meeting_at: iso(hourAhead(1)) } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(jobsOf(e, 'remind_before_meeting').map((j) => j.state), ['cancelled']);
    const entry = (await journal(e)).find((x) => x.kind === 'meeting_replanned');
    assert.equal(entry.data.reminder_due_at, undefined);
  });

  it('refused after the meeting was recorded, on a closed enrolment, and with a bad time; nothing changes', async () => {
    const e = await enrol(hourAhead(10));
    const put = (id, body) => s.api('PUT', `/api/v1/enrolments/${id}/planned-meeting`, { body });
    for (const body of [{}, { first_meeting_at: 'next tuesday' }, { first_meeting_at: '2100-01-01T09:00:00Z' }, []]) {
      const r = await put(e.enrolment_id, body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.json.error.code, /^invalid_(time|body)$/);
    }
    const unknown = await put('00000000-0000-4000-8000-000000000000', { first_meeting_at: iso(hourAhead(12)) });
    assert.equal(unknown.status, 404, unknown.text);

    const m = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, { body: { held_at: iso(Date.now()), oral_guidance: true } });
    assert.equal(m.status, 200, m.text);
    const held = await put(e.enrolment_id, { first_meeting_at: iso(hourAhead(12)) });
    assert.equal(held.status, 409, held.text);
    assert.equal(held.json.error.code, 'meeting_recorded');

    const other = await enrol(hourAhead(10));
    const g = await s.api('PUT', `/api/v1/citizens/${other.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: iso(hourAhead(15)) },
    });
    assert.equal(g.status, 201, g.text);
    const closed = await put(other.enrolment_id, { first_meeting_at: iso(hourAhead(12)) });
    assert.equal(closed.status, 409, closed.text);
    assert.equal(closed.json.error.code, 'enrolment_closed');
    for (const x of [e, other]) {
      assert.equal((await journal(x)).filter((j) => j.kind === 'meeting_replanned').length, 0, 'nothing journalled');
    }
  });
});
