// A letter cancelled on one server while another server's scheduler is about to send it.
//
// A job cancelled while an attempt of it runs is marked (jobs.cancel_requested_at), and
// the scheduler reads the mark before each channel's send.  That read must lie in the same
// write transaction as the lease's renewal: read in plain statements before it, a meeting
// moved on another server (PUT .../planned-meeting) that holds the write lock at that
// moment would commit its cancel mark between the read and the renewal, and the reminder
// naming the OLD meeting time would go out and be journalled (`reminder_sent`, meeting_at =
// the old time) after `meeting_replanned`.  The same for a target-group change: the closed
// enrolment's guidance would go out after `group_changed` (and so would a letter, with the
// CPR in the outbox, after a retention purge).
//
// Made certain with two locks the test holds: an ACCESS EXCLUSIVE lock on deliveries stops
// the scheduler (`vejled jobs run`, the server's pass) before its second look at the job,
// and a row lock on the enrolment keeps the replanning server inside its transaction,
// holding the write lock, until the scheduler waits for that lock.  The reminder's letter
// was written by an earlier attempt that could not place it (the outbox share was
// unavailable), as after any failed or interrupted attempt.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { PG, cli, cliAsync, enrolBody, freshCpr, sqlite, startServer } from './harness.mjs';
import { pgSession, waitFor } from './helpers/pgsession.mjs';

const DAY = 86400e3;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hourAhead = (days) => Math.ceil((Date.now() + days * DAY) / 3600e3) * 3600e3;
let s;

/* `vejled jobs run` on the shared database: the scheduler of another server. */
const jobsRun = (config) => cli(['jobs', 'run', '--db', s.db, '--config', config]);

/* Makes the enrolment's job of kind due now (a test's clock moves no other way). */
function dueNow(enrolmentId, kind) {
  sqlite(s.db, `UPDATE jobs SET next_attempt_at = ${Math.floor(Date.now() / 1000) - 1}
    WHERE kind = '${kind}' AND state = 'pending'
    AND enrolment_id = (SELECT id FROM enrolments WHERE uuid = '${enrolmentId}');`);
}

/* The job's first attempt writes its letter (the intent with its bytes) but cannot place
 * it: the outbox share is unavailable.  Then its retry is due. */
function writtenNotPlaced(enrolmentId, kind) {
  fs.writeFileSync(path.join(s.dir, 'blocked'), '');
  const broken = path.join(s.dir, 'broken.ini');
  fs.writeFileSync(broken, `${fs.readFileSync(s.configFile, 'utf8')}\n[delivery]\noutbox_dir = ${path.join(s.dir, 'blocked', 'outbox')}\n`);
  dueNow(enrolmentId, kind);
  const r = jobsRun(broken);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`${kind}\\) attempt 1: outbox: cannot create the folder`));
  const intent = sqlite(s.db, `SELECT d.state, d.payload_box IS NOT NULL FROM deliveries d JOIN jobs j ON j.id = d.job_id
    WHERE j.kind = '${kind}' AND j.enrolment_id = (SELECT id FROM enrolments WHERE uuid = '${enrolmentId}');`).trim();
  assert.equal(intent, 'intent|t', 'the letter is written, not placed');
  dueNow(enrolmentId, kind);
}

/* The scheduler (`vejled jobs run`) sends the due letter of enrolmentId while change() (a
 * request to the server) cancels it: the scheduler reads the job (no mark yet), then the
 * change commits, then the scheduler renews its lease and sends.  Returns change's answer. */
async function raceSendWith(enrolmentId, change) {
  const t1 = await pgSession(s.db);
  const t2 = await pgSession(s.db);
  try {
    await t1.run('BEGIN; LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE;');
    const pass = cliAsync(['jobs', 'run', '--db', s.db, '--config', s.configFile]);
    // the pass claimed the job, found it not cancelled and waits to read its letter
    await waitFor(s.db, "wait_event = 'relation' AND query LIKE '%FROM deliveries%'");
    await t2.run(`BEGIN; SELECT id FROM enrolments WHERE uuid = '${enrolmentId}' FOR UPDATE;`);
    const answer = change();
    await waitFor(s.db, "wait_event = 'transactionid'"); // the change holds the journal lock
    await t1.run('COMMIT;');
    // the pass read the job again (no cancel mark yet) and waits for the journal lock
    await waitFor(s.db, "wait_event = 'advisory'");
    await t2.run('COMMIT;');
    const r = await answer;
    const done = await pass;
    assert.equal(done.status, 0, done.stderr);
    return r;
  } finally {
    t1.kill();
    t2.kill();
  }
}

const journalText = (entries) => entries.map((x) => `${x.seq} ${x.kind}${x.data.meeting_at ? ` meeting_at=${x.data.meeting_at}` : ''}`).join('; ');

describe('a letter cancelled on one server while another sends it', { skip: !PG && 'several servers: PostgreSQL only' }, () => {
  before(async () => {
    s = await startServer({ config: '[database]\nbusy_timeout_ms = 60000\n[delivery]\nchannels = outbox\n' });
    assert.equal(jobsRun(s.configFile).status, 0, 'the demo citizens\' letters go first');
  });
  after(async () => { if (s) await s.cleanup(); });

  it('the meeting moved: the reminder naming the old time is not sent after the move committed', async () => {
    const old = hourAhead(10);
    const moved = hourAhead(20);
    const e = (await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { first_meeting_at: iso(old) }) })).json;
    assert.ok(e && e.enrolment_id);
    assert.equal(jobsRun(s.configFile).status, 0); // the written guidance goes out; the reminder is not due
    writtenNotPlaced(e.enrolment_id, 'remind_before_meeting');
    const moveAnswer = await raceSendWith(e.enrolment_id, () => s.api('PUT',
      `/api/v1/enrolments/${e.enrolment_id}/planned-meeting`, { body: { first_meeting_at: iso(moved) } }));
    assert.equal(moveAnswer.status, 200, moveAnswer.text);

    const j = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
    assert.equal(j.status, 200, j.text);
    const replanned = j.json.entries.find((x) => x.kind === 'meeting_replanned');
    assert.ok(replanned, 'the move is journalled');
    const late = j.json.entries.filter((x) => x.kind === 'reminder_sent' && x.seq > replanned.seq);
    assert.deepEqual(late.map((x) => x.data.meeting_at), [],
      `no reminder is sent after the meeting was moved from ${iso(old)} to ${iso(moved)} (the move had committed, cancelling it, before the letter was placed); journal: ${journalText(j.json.entries)}`);
  });

  it('the target group changed: the old group\'s guidance is not sent after the enrolment was closed', async () => {
    const e = (await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { first_meeting_at: iso(hourAhead(10)) }) })).json;
    assert.ok(e && e.enrolment_id);
    writtenNotPlaced(e.enrolment_id, 'send_written_guidance');
    const change = await raceSendWith(e.enrolment_id, () => s.api('PUT', `/api/v1/citizens/${e.citizen_id}/target-group`,
      { body: { target_group: 'sygedagpenge', next_meeting_at: iso(hourAhead(15)) } }));
    assert.equal(change.status, 201, change.text);

    const j = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
    const closed = j.json.entries.find((x) => x.kind === 'group_changed');
    assert.ok(closed, 'the change is journalled');
    const late = j.json.entries.filter((x) => x.kind === 'written_guidance_sent' && x.enrolment_id === e.enrolment_id && x.seq > closed.seq);
    assert.deepEqual(late.map((x) => x.data.target_group), [],
      `no letter of the closed enrolment is sent after group_changed committed; journal: ${journalText(j.json.entries)}`);
  });
});
