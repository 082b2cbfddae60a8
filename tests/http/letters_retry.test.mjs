// A letter that failed for good (here: no configured channel could reach the citizen) is
// not left to a database command: the administrator's start page says how many there are,
// /admin/breve lists them with their cause, and "Send igen" (or `vejled jobs retry`) makes
// one pending again, so that the next pass sends it once the cause is fixed. The record
// then has both facts, in their order: the failure and the sending. Only a failed letter of
// an open enrolment can be sent again; reading the list is logged as a read of each
// citizen's data.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cli, enrolBody, freshCpr, jobsList, sqlite, startServer } from './harness.mjs';
import { formCsrf, staff } from './staffkit.mjs';
import { text } from './days.mjs';

describe('failed letters: listed for the administrator and sent again', () => {
  let s;
  let smtpOnly;
  let admin;
  const one = (sql) => sqlite(s.db, sql).trim();

  before(async () => {
    s = await startServer(); // the outbox channel, the scheduler thread off
    smtpOnly = path.join(s.dir, 'smtp-only.ini');
    fs.writeFileSync(smtpOnly, fs.readFileSync(s.configFile, 'utf8')
      + '\n[delivery]\nchannels = smtp\n[smtp]\nurl = smtp://127.0.0.1:9\nfrom = jobcenter@example.dk\nallow_plain = 1\n');
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  const jobsRun = (config) => {
    const r = cli(['jobs', 'run', '--db', s.db, '--config', config]);
    assert.equal(r.status, 0, r.stderr);
    return r;
  };
  /* A citizen without an e-mail address, whose written guidance then fails at once when
   * only e-mail is configured. */
  async function unreachable(name) {
    const body = enrolBody(freshCpr(), { citizen: { cpr: freshCpr(), name } });
    const r = await s.api('POST', '/api/v1/enrolments', { body });
    assert.equal(r.status, 201, r.text);
    return r.json;
  }
  const guidanceJob = (e) => jobsList(s.db, e.enrolment_id).find((j) => j.kind === 'send_written_guidance');

  let e;
  let job;
  it('the start page counts them and the list names each with its cause; the read is logged', async () => {
    jobsRun(s.configFile); // the demo citizens' letters: sent through the outbox
    assert.doesNotMatch(text((await admin.get('/admin')).text), /Breve, der ikke blev sendt:/);
    e = await unreachable('Ulla Uden Mail');
    jobsRun(smtpOnly);
    job = guidanceJob(e);
    assert.equal(job.state, 'failed');
    const home = text((await admin.get('/admin')).text);
    assert.match(home, /Breve, der ikke blev sendt: 1\. Se dem, og send dem igen/);
    const logged = Number(one(`SELECT count(*) FROM access_log WHERE page = 'letters'`));
    const page = await admin.get('/admin/breve');
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>Breve, der ikke blev sendt – /);
    const t = text(page.text);
    assert.match(t, /Skriftlig vejledning: Ulla Uden Mail/);
    assert.match(t, /Årsag: ingen kanal kan nå borgeren \(fx ingen e-mailadresse, og Digital Post er ikke slået til\)\./);
    assert.match(page.text, new RegExp(`href="/medarbejder/borger/${e.citizen_id}"`));
    assert.equal(Number(one(`SELECT count(*) FROM access_log WHERE page = 'letters'`)), logged + 1, 'one read, of the one citizen listed');
    // caseworkers do not manage deliveries
    const cw = await staff(s, 'cw1');
    assert.equal((await cw.get('/admin/breve')).status, 403);
  });

  it('"Send igen" makes it pending; the next pass, with the cause fixed, sends it once, and the journal has both facts', async () => {
    const page = await admin.get('/admin/breve');
    const action = `/admin/breve/${job.id}/igen`;
    const r = await admin.post(action, { csrf: formCsrf(page.text, action) });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/admin/breve?igen=1');
    assert.match(text((await admin.get(r.headers.location)).text), /Brevet sendes igen ved planlæggerens næste kørsel/);
    let j = guidanceJob(e);
    assert.equal(j.state, 'pending');
    assert.equal(j.attempts, '0');
    // nothing left to send again
    assert.match(text((await admin.get('/admin/breve')).text), /Alle breve er sendt eller venter på at blive sendt/);
    assert.doesNotMatch(text((await admin.get('/admin')).text), /Breve, der ikke blev sendt:/);
    // the cause fixed (the outbox for Digital Post, as the server is configured): sent
    jobsRun(s.configFile);
    j = guidanceJob(e);
    assert.equal(j.state, 'done');
    assert.equal(one(`SELECT count(*) FROM deliveries WHERE job_id = ${job.id} AND state = 'sent'`), '1');
    const kinds = (await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`)).json.entries.map((x) => x.kind);
    assert.ok(kinds.indexOf('letter_failed') >= 0 && kinds.indexOf('letter_failed') < kinds.indexOf('written_guidance_sent'), kinds.join(' '));
    // a letter that has not failed is not sent again, and nothing changes
    const again = await admin.post(`/admin/breve/${job.id}/igen`, { csrf: formCsrf(page.text, `/admin/breve/${job.id}/igen`) });
    assert.equal(again.status, 409);
    assert.match(text(again.text), /Brevet er ikke et brev, der fejlede/);
    assert.equal(guidanceJob(e).state, 'done');
    for (const id of ['999999', 'abc', '0']) {
      assert.equal((await admin.post(`/admin/breve/${id}/igen`, { csrf: formCsrf(page.text, `/admin/breve/${job.id}/igen`) })).status, 404, id);
    }
  });

  it('a failed letter of an enrolment closed by a group change is not listed and not sent again', async () => {
    const g = await unreachable('Gert Gruppeskift');
    jobsRun(smtpOnly);
    const failed = guidanceJob(g);
    assert.equal(failed.state, 'failed');
    assert.match(text((await admin.get('/admin/breve')).text), /Gert Gruppeskift/);
    const moved = await s.api('PUT', `/api/v1/citizens/${g.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2030-05-01T09:00:00Z' },
    });
    assert.equal(moved.status, 201, moved.text);
    assert.doesNotMatch(text((await admin.get('/admin/breve')).text), /Gert Gruppeskift/);
    const csrf = formCsrf((await admin.get('/admin')).text, '/medarbejder/logout'); // the session's token
    const r = await admin.post(`/admin/breve/${failed.id}/igen`, { csrf });
    assert.equal(r.status, 409);
    assert.equal(guidanceJob(g).state, 'failed');
  });

  it('`vejled jobs retry --job N` does the same from the command line, and refuses what it cannot do', async () => {
    const c = await unreachable('Carl Kommandolinje');
    jobsRun(smtpOnly);
    const failed = guidanceJob(c);
    assert.equal(failed.state, 'failed');
    for (const [args, status, message] of [
      [[], 2, /needs --job N/],
      [['--job', 'x'], 2, /needs --job N/],
      [['--job', '999999'], 1, /no letter job 999999/],
      [['--job', job.id], 1, /has not failed/],
    ]) {
      const r = cli(['jobs', 'retry', '--db', s.db, ...args]);
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(cli(['jobs', 'list', '--db', s.db, '--job', '1']).status, 2, '--job is for retry only');
    const r = cli(['jobs', 'retry', '--db', s.db, '--job', failed.id]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`job ${failed.id} is pending again`));
    jobsRun(s.configFile);
    assert.equal(guidanceJob(c).state, 'done');
  });
});
