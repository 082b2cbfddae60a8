// The first meeting moved to a time it had been moved to before (T0 -> T1 -> T2 -> T1).
//
// Each move cancels the pending reminder and plans one for the new time.  A reminder keyed
// by the meeting's time alone would find the one cancelled by the move to T2 and plan
// nothing: the citizen would get no reminder for the meeting at all, and the journal's
// meeting_replanned would have no reminder_due_at.  So each move plans a reminder of its
// own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { enrolBody, freshCpr, jobsList, startServer } from './harness.mjs';

let s;
const DAY = 86400e3;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hourAhead = (days) => Math.ceil((Date.now() + days * DAY) / 3600e3) * 3600e3;

describe('the meeting moved back to an earlier planned time', () => {
  before(async () => { s = await startServer(); });
  after(async () => { if (s) await s.cleanup(); });

  it('T0 -> T1 -> T2 -> T1: a reminder is pending for the meeting at T1', async () => {
    const [t0, t1, t2] = [hourAhead(10), hourAhead(20), hourAhead(30)];
    const e = (await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { first_meeting_at: iso(t0) }) })).json;
    let last;
    for (const at of [t1, t2, t1]) {
      last = await s.api('PUT', `/api/v1/enrolments/${e.enrolment_id}/planned-meeting`, { body: { first_meeting_at: iso(at) } });
      assert.equal(last.status, 200, last.text);
    }
    const pending = jobsList(s.db, e.enrolment_id).filter((j) => j.kind === 'remind_before_meeting' && j.state === 'pending');
    const j = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
    const moves = j.json.entries.filter((x) => x.kind === 'meeting_replanned');
    assert.equal(moves.length, 3);
    assert.deepEqual({ pending: pending.length, journalled: moves[2].data.reminder_due_at !== undefined },
      { pending: 1, journalled: true },
      `one reminder for the meeting at ${iso(t1)}, journalled with the move; jobs: ${JSON.stringify(jobsList(s.db, e.enrolment_id))}`);
  });
});
