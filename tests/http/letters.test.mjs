// What the letters' states say is what happened: a letter that no configured channel can
// carry is not "sent" anywhere, a reminder that would arrive after its meeting is not sent,
// and the caseworker's citizen page gives each letter the time that belongs to its state
// (when it was placed in the outbox, when it failed, when it is planned for).  The passes
// run with `vejled jobs run --now`, in increasing order, as time does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { spawnSync } from 'node:child_process';

import { ROOT, cli, enrolBody, freshCpr, isPgDb, jobsList, sqlite, startServer } from './harness.mjs';
import { lettersOnPage as staffLetters, staff } from './staffkit.mjs';

let s;
let cw1;

function jobsRun(now, config) {
  const r = cli(['jobs', 'run', '--db', s.db, '--config', config || s.configFile,
    ...(now ? ['--now', now] : [])]);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

const jobsOf = (enrolmentId) => jobsList(s.db, enrolmentId);

async function enrol({ email = true, meeting = '2030-03-10T09:00:00Z' } = {}) {
  const cpr = freshCpr();
  const body = enrolBody(cpr, { first_meeting_at: meeting });
  if (!email) delete body.citizen.email;
  const r = await s.api('POST', '/api/v1/enrolments', { body });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, cpr };
}

async function journalOf(citizenId) {
  const r = await s.api('GET', `/api/v1/citizens/${citizenId}/journal`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}

/* The lines of the citizen page's list of letters, as cw1 reads them. */
const lettersOnPage = (citizenId) => staffLetters(cw1, citizenId);

const outboxLabels = () => {
  const dir = path.join(s.dir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.xml'))
    .map((f) => /<memo:label>([^<]*)<\/memo:label>/.exec(fs.readFileSync(path.join(dir, f), 'utf8'))[1]);
};

const DA = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'lang', 'da.json'), 'utf8'));

/* The evidence PDF of a citizen as text, on one line. */
function evidenceText(citizenId) {
  const file = path.join(s.dir, `evidence-${citizenId}.pdf`);
  const r = cli(['evidence', '--db', s.db, '--citizen', citizenId, '--out', file]);
  assert.equal(r.status, 0, r.stderr);
  return spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
}

describe('letters: the states say what happened', () => {
  let smtpOnly;
  let later;
  let unreached;

  before(async () => {
    s = await startServer(); // channels = outbox (the default), the scheduler thread off
    smtpOnly = path.join(s.dir, 'smtp-only.ini');
    fs.writeFileSync(smtpOnly, fs.readFileSync(s.configFile, 'utf8')
      + '\n[delivery]\nchannels = smtp\n[smtp]\nurl = smtp://127.0.0.1:9\nfrom = jobcenter@example.dk\nallow_plain = 1\n');
    cw1 = await staff(s, 'cw1');
  });

  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('no configured channel reaches the citizen: the letter job fails at once, says why, and counts nowhere as sent', async () => {
    const e = await enrol({ email: false });
    const r = jobsRun(null, smtpOnly);
    const job = jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    assert.match(r.stderr, new RegExp(`job ${job.id} \\(send_written_guidance\\) failed after 1 attempt`));
    assert.equal(job.state, 'failed');
    assert.equal(job.attempts, '1', 'not retried: trying again changes nothing');
    assert.match(job.last_error, /not sent: no configured channel can reach this citizen/);
    assert.ok(!job.last_error.includes(e.cpr) && !r.stderr.includes(e.cpr), 'no CPR');
    assert.equal(sqlite(s.db, `SELECT count(*) FROM deliveries WHERE job_id = ${job.id}`).trim(), '0');
    assert.ok(!(await journalOf(e.citizen_id)).some((x) => x.kind.endsWith('_sent')), 'nothing journalled as sent');
    const lines = await lettersOnPage(e.citizen_id);
    const letter = lines.find((l) => l.startsWith('Skriftlig vejledning:'));
    assert.match(letter, /^Skriftlig vejledning: ikke sendt – fejlede den \d+\. [a-zæøå]+ 20\d\d kl\. \d\d\.\d\d$/);
    const day = (d) => new Date(d).toISOString().slice(0, 10);
    const st = await s.api('GET', `/api/v1/stats?from=${day(Date.now() - 10 * 864e5)}&to=${day(Date.now() + 10 * 864e5)}`);
    assert.equal(st.status, 200, st.text);
    assert.equal(st.json.total.written_guidance_sent, 0);
    assert.equal(st.json.total.minutes_saved, 0);
    unreached = e;
  });

  it('the citizen page: a sent letter shows when it was placed in the outbox, a planned one what it is planned for', async () => {
    later = await enrol();
    jobsRun('2029-01-05T12:00:00Z'); // the welcome letter, long after it became due
    const lines = await lettersOnPage(later.citizen_id);
    assert.ok(lines.includes('Skriftlig vejledning: lagt i udbakken til Digital Post den 5. januar 2029 kl. 13.00'), lines.join('\n'));
    assert.ok(lines.includes('Påmindelse før mødet: planlagt til 7. marts 2030 kl. 09.00'), lines.join('\n'));
    assert.ok(lines.includes('Genudsendelse af skriftlig vejledning: planlagt til 10. september 2030 kl. 10.00'), lines.join('\n'));
    assert.ok(!lines.some((l) => /\bsendt\b/.test(l)), 'the outbox is not called sent');
  });

  it('a reminder whose meeting has begun is not sent: cancelled with the reason, nothing journalled', async () => {
    jobsRun('2030-03-11T10:00:00Z'); // the scheduler was down from before the reminder until after the meeting
    const job = jobsOf(later.enrolment_id).find((j) => j.kind === 'remind_before_meeting');
    assert.equal(job.state, 'cancelled');
    assert.match(job.last_error, /the meeting time has passed/);
    assert.equal((await journalOf(later.citizen_id)).filter((x) => x.kind === 'reminder_sent').length, 0);
    assert.ok(!outboxLabels().includes('Husk at se videoerne før dit møde'), 'no reminder in the outbox');
    const lines = await lettersOnPage(later.citizen_id);
    assert.ok(lines.includes('Påmindelse før mødet: annulleret den 11. marts 2030 kl. 11.00'), lines.join('\n'));
  });

  it('registered after the six months: one guidance letter, not a resend beside it; a meeting held later plans the resend from it', async () => {
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cpr = freshCpr();
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr, { first_meeting_at: iso(Date.now() - 240 * 864e5) }) });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.jobs.map((j) => j.kind), ['send_written_guidance'], 'only the guidance now');
    assert.deepEqual(jobsOf(r.json.enrolment_id).map((j) => j.kind), ['send_written_guidance']);
    jobsRun();
    const sent = (await journalOf(r.json.citizen_id)).filter((x) => /^written_guidance_(re)?sent$/.test(x.kind));
    assert.deepEqual(sent.map((x) => x.kind), ['written_guidance_sent'], 'one letter');
    // the meeting was in fact held 60 days ago: its resend is owed 6 months after that
    const held = Date.now() - 60 * 864e5;
    const m = await s.api('POST', `/api/v1/enrolments/${r.json.enrolment_id}/meeting`, { body: { held_at: iso(held), oral_guidance: true } });
    assert.equal(m.status, 200, m.text);
    const resend = jobsOf(r.json.enrolment_id).find((j) => j.kind === 'resend_written_guidance');
    assert.ok(resend && resend.state === 'pending', JSON.stringify(jobsOf(r.json.enrolment_id)));
    const due = Date.parse(resend.due_at);
    assert.ok(due > held + 180 * 864e5 && due < held + 186 * 864e5, `due ${resend.due_at}`);
    const rec = (await journalOf(r.json.citizen_id)).find((x) => x.kind === 'meeting_recorded');
    assert.equal(rec.data.resend_due_at, resend.due_at);
    // recorded again: the same job moves, no second one
    const again = await s.api('POST', `/api/v1/enrolments/${r.json.enrolment_id}/meeting`, { body: { held_at: iso(held + 864e5), oral_guidance: true } });
    assert.equal(again.status, 200, again.text);
    assert.equal(jobsOf(r.json.enrolment_id).filter((j) => j.kind === 'resend_written_guidance').length, 1);
  });

  it('the evidence PDF: the outbox is not called sent, a failed channel and an unreachable citizen are said, the checkpoint is not claimed delivered', async () => {
    // outbox and SMTP, the SMTP server down, one attempt: the outbox has the letter, the e-mail failed
    const both = path.join(s.dir, 'both.ini');
    fs.writeFileSync(both, fs.readFileSync(s.configFile, 'utf8')
      + '\n[delivery]\nchannels = outbox,smtp\nmax_attempts = 1\n[smtp]\nurl = smtp://127.0.0.1:9\nfrom = jobcenter@example.dk\nallow_plain = 1\n');
    const p = await enrol();
    jobsRun('2030-04-01T10:00:00Z', both);
    const job = jobsOf(p.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    assert.equal(job.state, 'failed');
    const lines = await lettersOnPage(p.citizen_id);
    assert.ok(lines.includes('Skriftlig vejledning: lagt i udbakken til Digital Post den 1. april 2030 kl. 12.00; de øvrige kanaler fejlede den 1. april 2030 kl. 12.00'), lines.join('\n'));
    const text = evidenceText(p.citizen_id);
    assert.ok(text.includes(`${DA.journal_written_guidance_sent_outbox} (indholdsversion`), text);
    assert.ok(text.includes('Skriftlig vejledning: ikke sendt via e-mail; det sidste forsøg fejlede'), text);
    assert.ok(!text.includes('via Digital Post') && !text.includes('Breve sendt'), 'the outbox is not sending');
    // no webhook: the checkpoint's entry reached no case system, and the PDF does not say it did
    assert.ok(!text.includes('sendt til sagssystemet'), text);
    assert.ok(text.includes(DA.evidence_checkpoint_not_delivered), text);
    // the citizen no channel could reach
    const none = evidenceText(unreached.citizen_id);
    assert.ok(none.includes('Skriftlig vejledning: ikke sendt; ingen konfigureret kanal kunne nå borgeren'), none);
    assert.ok(!none.includes(DA.journal_written_guidance_sent_outbox), none);
  });
  it('a letter that failed for another reason says that the sending failed, after how many attempts, and never that no channel could reach the citizen', async () => {
    const once = path.join(s.dir, 'once.ini');
    fs.writeFileSync(once, fs.readFileSync(s.configFile, 'utf8') + '\n[delivery]\nmax_attempts = 1\n');
    const e = await enrol({ meeting: '2031-06-02T09:00:00Z' });
    // the citizen's sealed identity cannot be opened: the letter cannot be made
    sqlite(s.db, isPgDb(s.db)
      ? `UPDATE citizens SET cpr_box = '\\x00'::bytea WHERE uuid = '${e.citizen_id}'`
      : `UPDATE citizens SET cpr_box = x'00' WHERE uuid = '${e.citizen_id}'`);
    jobsRun('2030-05-01T10:00:00Z', once);
    const job = jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    assert.equal(job.state, 'failed');
    assert.equal(job.attempts, '1');
    assert.match(job.last_error, /cannot open the citizen's sealed identity/);
    const text = evidenceText(e.citizen_id);
    assert.ok(text.includes('1. maj 2030 kl. 12.00 — Skriftlig vejledning: ikke sendt; afsendelsen mislykkedes efter 1 forsøg, fordi borgerens forseglede oplysninger ikke kunne åbnes'), text);
    assert.ok(!text.includes('ingen konfigureret kanal'), 'no channel was ever tried: the PDF does not say none could reach the citizen');
    assert.ok(!text.includes('sealed identity'), 'the fixed Danish phrase, not the raw error');
    const lines = await lettersOnPage(e.citizen_id);
    assert.ok(lines.includes('Skriftlig vejledning: ikke sendt – fejlede den 1. maj 2030 kl. 12.00'), lines.join('\n'));
    // the citizen no channel could reach still reads so
    assert.ok(evidenceText(unreached.citizen_id).includes('Skriftlig vejledning: ikke sendt; ingen konfigureret kanal kunne nå borgeren'));
  });

  it('a letter in retry is not hidden: the page and the evidence say it is not sent yet, how many attempts failed and when the next is', async () => {
    const e = await enrol({ meeting: '2031-06-02T09:00:00Z' });
    // before any pass: due, not tried yet; the reminder is planned
    let text = evidenceText(e.citizen_id);
    const letters = (t) => t.slice(t.indexOf(' Breve '), t.indexOf(DA.evidence_videos));
    assert.match(letters(text), /Skriftlig vejledning: ikke sendt endnu; klar til afsendelse fra \d+\. [a-zæøå]+ 20\d\d kl\. \d\d\.\d\d; intet forsøg endnu/);
    assert.ok(letters(text).includes('Påmindelse før mødet: planlagt til 30. maj 2031 kl. 09.00'), letters(text));
    assert.ok(!letters(text).includes(DA.evidence_none), letters(text));
    // the SMTP server is down: each pass fails, the job waits for the next attempt
    jobsRun('2030-05-02T10:00:00Z', smtpOnly);
    jobsRun('2030-05-02T10:01:00Z', smtpOnly);
    const job = jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    assert.equal(job.state, 'pending');
    assert.equal(job.attempts, '2');
    let lines = await lettersOnPage(e.citizen_id);
    assert.ok(lines.includes('Skriftlig vejledning: ikke sendt endnu: 2 forsøg mislykkedes, næste forsøg 2. maj 2030 kl. 12.03'), lines.join('\n'));
    text = evidenceText(e.citizen_id);
    assert.ok(letters(text).includes('Skriftlig vejledning: ikke sendt endnu; 2 forsøg mislykkedes, næste forsøg 2. maj 2030 kl. 12.03'), letters(text));
    assert.ok(!letters(text).includes(DA.journal_written_guidance_sent_smtp), 'nothing said sent');
    // a pass holds it now (claimed: the third attempt under way)
    sqlite(s.db, `UPDATE jobs SET state = 'running', attempts = 3, locked_at = ${Math.floor(Date.now() / 1000)} WHERE id = ${job.id}`);
    lines = await lettersOnPage(e.citizen_id);
    assert.ok(lines.includes('Skriftlig vejledning: ikke sendt endnu: 2 forsøg mislykkedes, et nyt forsøg er i gang'), lines.join('\n'));
    text = evidenceText(e.citizen_id);
    assert.ok(letters(text).includes('Skriftlig vejledning: ikke sendt endnu; 2 forsøg mislykkedes, og et nyt forsøg var i gang, da denne PDF blev dannet'), letters(text));
    sqlite(s.db, `UPDATE jobs SET state = 'pending', attempts = 2 WHERE id = ${job.id}`);
  });

  it('a letter whose group has no published guidance any more says so, not a fault of vejled\'s data', async () => {
    const once = path.join(s.dir, 'once.ini');
    fs.writeFileSync(once, fs.readFileSync(s.configFile, 'utf8') + '\n[delivery]\nmax_attempts = 1\n');
    // the group's guidance withdrawn before the letter went: that is said, not a fault of vejled's data
    const g = await enrol({ meeting: '2031-06-02T09:00:00Z' });
    const pack = sqlite(s.db, `SELECT p.id FROM packs p JOIN enrolments e ON e.group_id = p.group_id
      WHERE e.uuid = '${g.enrolment_id}' AND p.state = 'published';`).trim();
    sqlite(s.db, `UPDATE packs SET state = 'retired' WHERE id = ${pack};`); // for good: the last test here
    jobsRun('2030-05-01T10:00:00Z', once);
    const gj = jobsOf(g.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    assert.equal(gj.state, 'failed');
    assert.match(gj.last_error, /the target group has no published guidance/);
    const gt = evidenceText(g.citizen_id);
    assert.ok(gt.includes('afsendelsen mislykkedes efter 1 forsøg, fordi der ikke var udgivet vejledning til borgerens målgruppe'), gt);
    assert.ok(!gt.includes('egne data'), 'not put down to vejled\'s own data');
    const failed = (await s.api('GET', `/api/v1/citizens/${g.citizen_id}/journal`)).json.entries.filter((x) => x.kind === 'letter_failed');
    assert.deepEqual(failed.map((x) => x.data.reason), ['no_guidance']);
  });
});
