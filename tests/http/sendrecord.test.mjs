// What the scheduler records about a letter is what happened, when it happened:
//  - a letter is recorded sent at the moment its channel took it, not when the pass began
//    (a slow mail server holds a batch for long);
//  - a reminder whose meeting is moved while its attempt runs is not retried with the old
//    time, and a reminder is never sent for another time than the planned meeting;
//  - a Digital Post placement is one placement and one entry, even when the pickup takes
//    the files the moment they are renamed into place;
//  - a letter that fails for good is journalled (letter_failed), with fixed words only;
//  - an e-mail copy whose link a caseworker replaced after the Digital Post letter went out
//    is not sent, and the delivery, the caseworker's page and the evidence PDF say so.
// Real SMTP sinks on loopback ports (stopped by pid), `vejled jobs run` at real time or with
// --now, the journal through the API.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cli, cliAsync, enrolBody, freshCpr, isTestBuild, jobsList, sleep, sqlite, startServer } from './harness.mjs';
import { freePort, mailText, startSmtp, stopSmtp } from './helpers/smtp.mjs';
import { hiddenFields, lettersOnPage, pdfText, staff } from './staffkit.mjs';

const DAY = 86400e3;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const secondsOf = (text) => Date.parse(text) / 1000;
/* Whole hours, so that the Copenhagen reminder hour does not depend on the minute. */
const hourAhead = (days) => Math.ceil((Date.now() + days * DAY) / 3600e3) * 3600e3;
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

/* The configuration of a server whose letters go through the SMTP server on port (plain
 * text on loopback), by e-mail only unless channels says more, with [delivery] and [smtp]
 * settings from opts. */
function withSmtp(port, { timeout_s: timeout, channels = 'smtp', ...delivery }) {
  const more = Object.entries(delivery).map(([k, v]) => `${k} = ${v}\n`).join('');
  return `[delivery]\nscheduler = 0\nchannels = ${channels}\n${more}[smtp]\nurl = smtp://127.0.0.1:${port}\n`
    + `from = jobcenter@example.dk\nallow_plain = 1\ntimeout_s = ${timeout}\n`;
}

let mailNo = 0;

async function enrol(s, overrides = {}, { noEmail = false } = {}) {
  const body = enrolBody(freshCpr(), { first_meeting_at: iso(hourAhead(60)), ...overrides });
  body.citizen = { ...body.citizen, email: `borger${++mailNo}@example.dk` };
  if (noEmail) delete body.citizen.email;
  const r = await s.api('POST', '/api/v1/enrolments', { body });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, email: body.citizen.email };
}

async function journalOf(s, e) {
  const r = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}

const jobOf = (s, e, kind) => jobsList(s.db, e.enrolment_id).filter((j) => j.kind === kind);

async function jobsRun(s, now, env = {}) {
  const r = await cliAsync(['jobs', 'run', '--db', s.db, '--config', s.configFile, ...(now ? ['--now', now] : [])], { env });
  return r;
}

/* The sink's messages: {id (the Message-ID's uuid), accepted (Unix seconds, fraction)}. */
function accepted(sink) {
  if (!fs.existsSync(sink.dir)) return [];
  return fs.readdirSync(sink.dir).filter((f) => f.endsWith('.eml')).sort().map((f) => {
    const mail = fs.readFileSync(path.join(sink.dir, f), 'utf8');
    const id = /^Message-ID: <([0-9a-f-]{36})@vejled>/m.exec(mail)[1];
    const at = Number(fs.readFileSync(path.join(sink.dir, f.replace(/\.eml$/, '.accepted')), 'utf8'));
    return { id, accepted: at, mail };
  });
}

describe('a letter is recorded sent when the channel took it', () => {
  let s;
  let sink;
  before(async () => {
    const port = await freePort();
    s = await startServer({
      config: withSmtp(port, { timeout_s: 10 }),
    });
    // a slow mail server: every message answered 2 s after it arrived, one at a time
    sink = await startSmtp(port, path.join(s.dir, 'mail'), 2);
  });
  after(async () => {
    await stopSmtp(sink);
    if (s) await s.cleanup();
  });

  it('several letters in one pass: each at its own acceptance, increasing', async () => {
    const es = [];
    for (let i = 0; i < 4; i++) es.push(await enrol(s));
    const r = await jobsRun(s); // at real time
    assert.equal(r.status, 0, r.stderr);
    const got = new Map(accepted(sink).map((m) => [m.id, m]));
    const rows = sqlite(s.db, "SELECT message_id, sent_at FROM deliveries WHERE channel = 'smtp' AND state = 'sent'");
    const sentAt = new Map(rows.trim().split('\n').map((l) => l.split('|')).map(([id, at]) => [id, Number(at)]));
    const seen = [];
    for (const e of es) {
      const entries = (await journalOf(s, e)).filter((x) => x.kind === 'written_guidance_sent');
      assert.equal(entries.length, 1, JSON.stringify(entries));
      const [x] = entries;
      const m = got.get(x.data.message_id);
      assert.ok(m, 'the sink has the message the journal names');
      const at = secondsOf(x.at);
      assert.ok(at >= Math.floor(m.accepted), `journalled at ${x.at}, before the sink accepted it at ${new Date(m.accepted * 1000).toISOString()}`);
      assert.ok(at <= Math.ceil(m.accepted) + 2, `journalled at ${x.at}, long after the sink accepted it`);
      assert.equal(sentAt.get(x.data.message_id), at, 'the delivery is sent at the same moment');
      seen.push({ at, accepted: m.accepted });
      assert.equal((await journalOf(s, e)).filter((y) => y.kind === 'letter_failed').length, 0, 'a letter sent is no failure');
    }
    seen.sort((a, b) => a.accepted - b.accepted);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i].at > seen[i - 1].at, `the times increase across the letters: ${JSON.stringify(seen)}`);
    }
  });
});

describe('a reminder for a meeting moved while it was being sent', () => {
  let s;
  let sink;
  let port;
  before(async () => {
    port = await freePort();
    s = await startServer({
      config: withSmtp(port, { timeout_s: 2, max_attempts: 5, backoff_base_s: 60 }),
    });
  });
  after(async () => {
    await stopSmtp(sink);
    if (s) await s.cleanup();
  });

  /* A citizen whose written guidance has gone out; the reminder pending. */
  async function guided(meeting) {
    const e = await enrol(s, { first_meeting_at: iso(meeting) });
    sink = await startSmtp(port, path.join(s.dir, `mail-${e.enrolment_id}`));
    const r = await jobsRun(s);
    assert.equal(r.status, 0, r.stderr);
    await stopSmtp(sink);
    assert.equal(jobOf(s, e, 'send_written_guidance')[0].state, 'done');
    const [reminder] = jobOf(s, e, 'remind_before_meeting');
    assert.equal(reminder.state, 'pending');
    return { e, reminder };
  }

  it('moved during the attempt, which then fails: not retried, no reminder with the old time', async () => {
    const old = hourAhead(10);
    const moved = hourAhead(20);
    const { e, reminder } = await guided(old);
    const due = Date.parse(reminder.due_at);
    // a mail server that takes longer than [smtp] timeout_s: the attempt fails
    sink = await startSmtp(port, path.join(s.dir, 'slow'), 4);
    const run = jobsRun(s, iso(due + 60e3));
    const end = Date.now() + 20000;
    while (!sink.out.includes('data 1')) { // the reminder is on its way
      assert.ok(Date.now() < end, 'the reminder did not reach the sink');
      await sleep(20);
    }
    const put = await s.api('PUT', `/api/v1/enrolments/${e.enrolment_id}/planned-meeting`, { body: { first_meeting_at: iso(moved) } });
    assert.equal(put.status, 200, put.text);
    const r = await run;
    assert.equal(r.status, 0, r.stderr);
    await stopSmtp(sink);
    const old1 = jobOf(s, e, 'remind_before_meeting').find((j) => j.id === reminder.id);
    assert.equal(old1.state, 'cancelled', JSON.stringify(old1));
    // a mail server that answers: a later pass sends nothing for the old time
    sink = await startSmtp(port, path.join(s.dir, 'fast'));
    const later = await jobsRun(s, iso(due + 3 * 3600e3));
    assert.equal(later.status, 0, later.stderr);
    assert.equal(accepted(sink).length, 0, 'no reminder went out');
    assert.equal((await journalOf(s, e)).filter((x) => x.kind === 'reminder_sent').length, 0);
    // the reminder for the new time goes out when it is due, naming that time
    const fresh = jobOf(s, e, 'remind_before_meeting').find((j) => j.state === 'pending');
    assert.ok(fresh, 'a reminder for the new time');
    const last = await jobsRun(s, iso(Date.parse(fresh.due_at) + 60e3));
    assert.equal(last.status, 0, last.stderr);
    await stopSmtp(sink);
    const sent = (await journalOf(s, e)).filter((x) => x.kind === 'reminder_sent');
    assert.equal(sent.length, 1, JSON.stringify(sent));
    assert.equal(sent[0].data.meeting_at, iso(moved));
  });

  it('a stored reminder is not sent when the planned meeting differs from the one it names', async () => {
    const old = hourAhead(10);
    const { e, reminder } = await guided(old);
    const due = Date.parse(reminder.due_at);
    // no mail server: the attempt fails, the letter (naming the old time) stays stored
    const r = await jobsRun(s, iso(due + 60e3));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(jobOf(s, e, 'remind_before_meeting')[0].state, 'pending');
    // the meeting moves without the job being told (as when a cancel missed it)
    const id = sqlite(s.db, `SELECT id FROM enrolments WHERE uuid = '${e.enrolment_id}'`).trim();
    sqlite(s.db, `UPDATE enrolments SET first_meeting_at = first_meeting_at + 86400 WHERE id = ${id}`);
    sink = await startSmtp(port, path.join(s.dir, 'after-move'));
    const later = await jobsRun(s, iso(due + 3 * 3600e3));
    assert.equal(later.status, 0, later.stderr);
    await stopSmtp(sink);
    assert.equal(accepted(sink).length, 0, 'no reminder with the old time went out');
    const [job] = jobOf(s, e, 'remind_before_meeting');
    assert.equal(job.state, 'cancelled', JSON.stringify(job));
    assert.equal((await journalOf(s, e)).filter((x) => x.kind === 'reminder_sent').length, 0);
  });
});

describe('a Digital Post pickup that takes the files at once', () => {
  let s;
  let watcher;
  const placed = []; // every file the pickup took: {name, sha}
  before(async () => {
    s = await startServer({
      config: `[delivery]
scheduler = 0
channels = outbox
backoff_base_s = 60
job_lease_s = 60
`,
    });
    fs.mkdirSync(s.outboxDir, { recursive: true });
    const take = () => {
      for (const f of fs.readdirSync(s.outboxDir)) {
        if (f.startsWith('.')) continue; // being written
        const file = path.join(s.outboxDir, f);
        try {
          const bytes = fs.readFileSync(file);
          fs.unlinkSync(file);
          placed.push({ name: f, sha: sha256(bytes) });
        } catch { /* taken already */ }
      }
    };
    watcher = fs.watch(s.outboxDir, take);
  });
  after(async () => {
    if (watcher) watcher.close();
    if (s) await s.cleanup();
  });

  async function passesUntilSettled(e, first) {
    let now = first;
    for (let i = 0; i < 4; i++) { // bounded: back-off 60 s, 120 s, …
      const r = await jobsRun(s, iso(now));
      assert.equal(r.status, 0, r.stderr);
      if (jobOf(s, e, 'send_written_guidance')[0].state !== 'pending') break;
      now += 3600e3;
    }
    await sleep(300); // the pickup's last events
  }

  it('one placement, one journal entry', async () => {
    const e = await enrol(s);
    await passesUntilSettled(e, Date.now() + 1000);
    const [job] = jobOf(s, e, 'send_written_guidance');
    assert.equal(job.state, 'done', JSON.stringify(job));
    const entries = (await journalOf(s, e)).filter((x) => x.kind === 'written_guidance_sent');
    assert.equal(entries.length, 1, JSON.stringify(entries));
    const id = entries[0].data.message_id;
    const xml = placed.filter((p) => p.name === `${id}.xml`);
    assert.equal(xml.length, 1, `placed once: ${JSON.stringify(placed)}`);
    assert.equal(xml[0].sha, entries[0].data.sha256, 'the journal hashes the file the pickup took');
    assert.equal(placed.filter((p) => p.name === `${id}.pdf`)[0].sha, entries[0].data.pdf_sha256);
  });

  it('a crash between placement and record: the retry does not place it again, and records the placement', { skip: !isTestBuild() && 'fault points are in the test build only' }, async () => {
    const e = await enrol(s);
    const t0 = Date.now() + 1000;
    const killed = await jobsRun(s, iso(t0), { VEJLED_FAULT: 'after_channel_write:outbox' });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    await sleep(300);
    const first = placed.filter((p) => p.name.endsWith('.xml')).length;
    // the lease runs out; the retry finds the files taken, and the marker that says so
    await passesUntilSettled(e, t0 + 120e3);
    const entries = (await journalOf(s, e)).filter((x) => x.kind === 'written_guidance_sent');
    assert.equal(entries.length, 1, JSON.stringify(entries));
    const id = entries[0].data.message_id;
    const xml = placed.filter((p) => p.name === `${id}.xml`);
    assert.equal(placed.filter((p) => p.name.endsWith('.xml')).length, first, 'no second placement');
    assert.equal(xml.length, 1, 'the pickup saw the message once');
    assert.equal(xml[0].sha, entries[0].data.sha256, 'the journal hashes the letter the pickup took');
    assert.ok(Date.parse(entries[0].at) <= t0 + 5000, `recorded at the placement (${entries[0].at}), not at the retry`);
    assert.deepEqual(fs.readdirSync(s.outboxDir), [], 'the marker is gone once recorded');
  });
});

describe('a letter that fails for good is journalled', () => {
  let s;
  before(async () => {
    const port = await freePort(); // nothing listens there
    s = await startServer({
      config: withSmtp(port, { timeout_s: 5, max_attempts: 2, backoff_base_s: 60 }),
    });
  });
  after(async () => { if (s) await s.cleanup(); });

  it('letter_failed once, when the job fails, with fixed words only; the chain verifies', async () => {
    const e = await enrol(s);
    const none = await enrol(s, {}, { noEmail: true }); // no e-mail address: smtp cannot reach them
    const t0 = Date.now() + 1000;
    let r = await jobsRun(s, iso(t0));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(jobOf(s, e, 'send_written_guidance')[0].state, 'pending');
    assert.equal((await journalOf(s, e)).filter((x) => x.kind === 'letter_failed').length, 0, 'not after a first attempt');
    r = await jobsRun(s, iso(t0 + 3600e3));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(jobOf(s, e, 'send_written_guidance')[0].state, 'failed');
    // a pass after the end adds nothing
    r = await jobsRun(s, iso(t0 + 7200e3));
    assert.equal(r.status, 0, r.stderr);

    const failed = (await journalOf(s, e)).filter((x) => x.kind === 'letter_failed');
    assert.equal(failed.length, 1, JSON.stringify(failed));
    const [f] = failed;
    assert.equal(f.actor, 'scheduler');
    assert.equal(f.enrolment_id, e.enrolment_id);
    assert.deepEqual(f.data, { letter: 'send_written_guidance', attempts: 2, reason: 'channel_refused' });
    assert.equal(f.at, iso(t0 + 3600e3), 'when the job failed');

    const [g] = (await journalOf(s, none)).filter((x) => x.kind === 'letter_failed');
    assert.deepEqual(g.data, { letter: 'send_written_guidance', attempts: 1, reason: 'no_channel_reached' });

    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, v.stderr);
  });
});

describe('a reminder claimed in a batch whose meeting moves before its turn', () => {
  let s;
  let sink;
  let port;
  before(async () => {
    port = await freePort();
    s = await startServer({
      config: withSmtp(port, { timeout_s: 10 }),
    });
  });
  after(async () => {
    await stopSmtp(sink);
    if (s) await s.cleanup();
  });

  it('is not sent: the job ends cancelled, and the reminder for the new time is planned', async () => {
    const old = hourAhead(10);
    const moved = hourAhead(20);
    const es = [];
    for (let i = 0; i < 3; i++) es.push(await enrol(s, { first_meeting_at: iso(old) }));
    // the written guidance goes out first, so that the next pass holds the three reminders
    sink = await startSmtp(port, path.join(s.dir, 'guidance'));
    assert.equal((await jobsRun(s)).status, 0);
    await stopSmtp(sink);
    const last = es[2];
    const due = Date.parse(jobOf(s, last, 'remind_before_meeting')[0].due_at);
    // a slow mail server: the pass claims all three and works through them one by one
    sink = await startSmtp(port, path.join(s.dir, 'slow'), 3);
    const run = jobsRun(s, iso(due + 60e3));
    const end = Date.now() + 20_000;
    while (!sink.out.includes('data 1')) {
      assert.ok(Date.now() < end, 'the first reminder reached the mail server');
      await sleep(20);
    }
    assert.equal(jobOf(s, last, 'remind_before_meeting')[0].state, 'running', 'claimed with the batch');
    const put = await s.api('PUT', `/api/v1/enrolments/${last.enrolment_id}/planned-meeting`,
      { body: { first_meeting_at: iso(moved) } });
    assert.equal(put.status, 200, put.text);
    const r = await run;
    assert.equal(r.status, 0, r.stderr);
    const sent = (await journalOf(s, last)).filter((x) => x.kind === 'reminder_sent');
    assert.equal(sent.length, 0, `the cancelled job sent nothing: ${JSON.stringify(sent)}`);
    const jobs = jobOf(s, last, 'remind_before_meeting');
    assert.ok(jobs.some((j) => j.state === 'cancelled'), JSON.stringify(jobs));
    assert.ok(jobs.some((j) => j.state === 'pending'), 'the reminder for the new time is planned');
    // the two before it were sent
    for (const e of es.slice(0, 2))
      assert.equal((await journalOf(s, e)).filter((x) => x.kind === 'reminder_sent').length, 1);
  });
});

describe('an e-mail copy whose link was replaced after the Digital Post letter went out', () => {
  let s;
  let sink;
  let port;
  before(async () => {
    port = await freePort(); // the mail server is down at first: nothing listens there
    s = await startServer({
      config: withSmtp(port, { timeout_s: 5, channels: 'outbox,smtp', backoff_base_s: 60 }),
    });
  });
  after(async () => {
    await stopSmtp(sink);
    if (s) await s.cleanup();
  });

  it('is not sent, and is recorded skipped: the delivery, the caseworker\'s page and the evidence PDF say why', async () => {
    const e = await enrol(s);
    const t0 = Date.now();
    // the outbox takes the letter; the e-mail copy (recorded with the first link) fails
    let r = await jobsRun(s, iso(t0));
    assert.equal(r.status, 0, r.stderr);
    const [job] = jobOf(s, e, 'send_written_guidance');
    assert.equal(job.state, 'pending', JSON.stringify(job));
    const smtpOf = (cols) => sqlite(s.db, `SELECT ${cols} FROM deliveries WHERE job_id = ${job.id} AND channel = 'smtp'`).trim();
    const dead = smtpOf('message_id');
    assert.equal(smtpOf('state'), 'intent', 'the e-mail copy waits for its retry');

    // a caseworker issues a new link before the retry: the e-mail copy's link stops working
    const cw1 = await staff(s, 'cw1');
    const page = await cw1.get(`/medarbejder/borger/${e.citizen_id}`);
    assert.equal(page.status, 200);
    const action = `/medarbejder/borger/${e.citizen_id}/nyt-link`;
    const n = await cw1.post(action, hiddenFields(page.text, action));
    assert.equal(n.status, 303, n.text);

    // the mail server is back: the letter with the new link goes out, the dead copy does not
    sink = await startSmtp(port, path.join(s.dir, 'mail'));
    r = await jobsRun(s, iso(t0 + 3600e3));
    assert.equal(r.status, 0, r.stderr);
    await stopSmtp(sink);
    assert.equal(jobOf(s, e, 'send_written_guidance')[0].state, 'done');
    assert.equal(smtpOf('state'), 'skipped', 'recorded, not left an intent');
    assert.equal(smtpOf('skipped_reason'), 'link_replaced');
    assert.equal(Number(smtpOf('skipped_at')), secondsOf(iso(t0 + 3600e3)), 'when the pass decided it');
    assert.equal(smtpOf('sent_at'), '', 'never sent');
    assert.equal(sqlite(s.db, `SELECT count(*) FROM deliveries WHERE job_id = ${job.id} AND channel = 'smtp'`
      + ' AND payload_box IS NULL AND pdf_box IS NULL').trim(), '1', 'its sealed copy (name, link) is gone');

    const entries = await journalOf(s, e);
    const guidance = entries.filter((x) => x.kind === 'written_guidance_sent');
    assert.deepEqual(guidance.map((x) => x.data.channel), ['outbox'], 'the written guidance went by Digital Post only');
    const fresh = entries.filter((x) => x.kind === 'new_link_sent');
    assert.deepEqual(fresh.map((x) => x.data.channel).sort(), ['outbox', 'smtp']);
    assert.ok(!accepted(sink).some((m) => m.id === dead), 'the copy with the dead link never reached the mail server');
    const mails = accepted(sink).filter((m) => m.mail.includes(`To: <${e.email}>`));
    assert.deepEqual(mails.map((m) => m.id), [fresh.find((x) => x.data.channel === 'smtp').data.message_id],
      'the only e-mail is the letter with the new link');
    const text = mailText(mails[0].mail);
    assert.ok(!text.includes(e.link), 'no e-mail carries the replaced link');
    assert.match(text, /\/v\/[A-Za-z0-9_-]{24}/, 'the new link');

    // the caseworker's page: the Digital Post letter and the e-mail copy not sent, and why
    const lines = await lettersOnPage(cw1, e.citizen_id);
    const line = lines.find((l) => l.startsWith('Skriftlig vejledning:'));
    assert.match(line, /^Skriftlig vejledning: lagt i udbakken til Digital Post den [^;]+; e-mail-kopien blev ikke sendt, fordi dens link var blevet erstattet af et nyt, som sendes i et brev for sig \(registreret den [^)]+\)$/, lines.join('\n'));
    assert.ok(!line.includes('sendt som e-mail'), line);

    // the evidence PDF: the same, in its letters section; no e-mail sending of that letter
    const pdf = await cw1.get(`/medarbejder/borger/${e.citizen_id}/dokumentation.pdf`);
    assert.equal(pdf.status, 200);
    // (pdftotext may break a line at a hyphen and drop it: compared without spaces and hyphens)
    const flat = (t) => t.replace(/[\s-]+/g, '');
    const evidence = flat(pdfText(s, pdf.buf, 'evidence.pdf'));
    const says = (t) => evidence.includes(flat(t));
    assert.ok(says('Skriftlig vejledning lagt i udbakken til Digital Post'), evidence);
    assert.ok(says('— Skriftlig vejledning: e-mail-kopien blev ikke sendt, fordi brevets link var blevet erstattet af et nyt link; det nye link sendes i et brev for sig'), evidence);
    assert.ok(!says('Skriftlig vejledning sendt som e-mail'), 'no e-mail sending of the written guidance is claimed');
    assert.ok(!says('ikke sendt via e-mail; det sidste forsøg fejlede'), 'nor a failure');
    assert.ok(says('Brev med nyt link sendt som e-mail'), 'the new link\'s own letter');

    // the staff pages in English say the same
    const sw = await cw1.post('/medarbejder/sprog', hiddenFields(page.text, '/medarbejder/sprog'));
    assert.equal(sw.status, 303, sw.text);
    const english = (await lettersOnPage(cw1, e.citizen_id)).find((l) => l.startsWith('Written guidance:'));
    assert.match(english, /; the e-mail copy was not sent, because its link had been replaced by a new one, which is sent in a letter of its own \(recorded on [^)]+\)$/, english);

    // a later pass leaves it as it is
    r = await jobsRun(s, iso(t0 + 7200e3));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(smtpOf('state'), 'skipped');
    assert.equal(cli(['verify', '--db', s.db]).status, 0);
  });
});
