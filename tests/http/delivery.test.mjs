// Automatic delivery of the written guidance against real local receivers: an
// SMTP sink (Debian's python3-aiosmtpd) and an HTTP webhook receiver, both started here on
// free loopback ports and stopped by pid.  Time travel with `vejled jobs run --now`; the
// server's scheduler thread for "sent at once on enrolment".  The passes run in increasing
// --now order, as time does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Webhook } from 'standardwebhooks';

import { ROOT, cli, cliAsync, databaseBefore, enrolBody, freshCpr, jobsList, nowIso, sleep, sqlite, startServer } from './harness.mjs';
import { journalHash, rawData } from './helpers/journal.mjs';
import { freePort, mailText, startSmtp, stopSmtp } from './helpers/smtp.mjs';
import { formCsrf, staff } from './staffkit.mjs';
import { text } from './days.mjs';

// the case system's secret in the Standard Webhooks form: whsec_ + base64 of random bytes
const SECRET = `whsec_${crypto.randomBytes(32).toString('base64')}`;
// the case system's check, by an independent implementation of the specification
const verifier = new Webhook(SECRET);
const PUBLIC = 'http://vejled.test';
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NAME = 'Søren Ærbø Åberg';
const DAGPENGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));

let s;            // the server
let smtp;         // {proc, port, dir}
let hook;         // {server, port, up, got: [{headers, body}]}
let outbox;
let cliLog = '';
const cprs = [];
let mailNo = 0;
const t0 = Math.ceil(Date.now() / 1000) * 1000;
const at = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function mails() {
  if (!fs.existsSync(smtp.dir)) return [];
  return fs.readdirSync(smtp.dir).filter((f) => f.endsWith('.eml')).sort()
    .map((f) => fs.readFileSync(path.join(smtp.dir, f), 'utf8'));
}

function mailsTo(email) {
  return mails().filter((m) => m.includes(`To: <${email}>`));
}

/* The outbox messages: {id, recipient, label, url, xml, file}. */
function letters() {
  if (!fs.existsSync(outbox)) return [];
  return fs.readdirSync(outbox).filter((f) => f.endsWith('.xml')).map((f) => {
    const xml = fs.readFileSync(path.join(outbox, f), 'utf8');
    const g = (tag) => (new RegExp(`<memo:${tag}>([^<]*)</memo:${tag}>`).exec(xml) || [])[1];
    return { id: f.slice(0, -4), recipient: g('recipientID'), label: g('label'), url: g('url'), xml, file: path.join(outbox, f) };
  });
}

const lettersFor = (cpr) => letters().filter((l) => l.recipient === cpr);

/* `vejled jobs run` without blocking this process (the webhook receiver lives here), with
 * the server's configuration unless config names another file. */
async function jobsRun(now, env = {}, config = s.configFile) {
  const args = ['jobs', 'run', '--db', s.db, '--config', config, ...(now ? ['--now', now] : [])];
  const r = await cliAsync(args, { env });
  cliLog += r.stderr;
  return r;
}

const jobsOf = (enrolmentId) => jobsList(s.db, enrolmentId);

async function journalOf(citizenId) {
  const r = await s.api('GET', `/api/v1/citizens/${citizenId}/journal`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}

const sent = (entries, kind) => entries.filter((e) => e.kind === kind);

async function enrol(overrides = {}) {
  const cpr = freshCpr();
  cprs.push(cpr);
  const email = `borger${++mailNo}@example.dk`;
  const body = enrolBody(cpr, { first_meeting_at: '2030-03-10T09:00:00Z', ...overrides });
  body.citizen = { ...body.citizen, name: NAME, email };
  const r = await s.api('POST', '/api/v1/enrolments', { body });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, cpr, email };
}

async function waitFor(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function pdfText(file) {
  const r = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function assertWellFormed(file) {
  const r = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `xmllint: ${r.stderr}`);
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

/* The PDF attached to an e-mail, decoded. */
function attachment(mail) {
  const m = /Content-Type: application\/pdf[^]*?\r?\n\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n--/.exec(mail);
  assert.ok(m, 'a PDF attachment');
  return Buffer.from(m[1].replace(/\s/g, ''), 'base64');
}

describe('delivery', () => {
  before(async () => {
    const hookPort = await freePort();
    hook = { up: true, got: [], tries: [], unverified: [], port: hookPort };
    hook.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (!hook.up) {
          hook.refused = (hook.refused || 0) + 1;
          hook.tries.push({ headers: req.headers, body });
          res.writeHead(503).end();
          return;
        }
        try {
          verifier.verify(body, req.headers);
        } catch (err) {
          hook.unverified.push(String(err));
          res.writeHead(400).end();
          return;
        }
        hook.got.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise((r) => hook.server.listen(hookPort, '127.0.0.1', r));
    const smtpPort = await freePort();
    s = await startServer({
      config: `[server]
public_url = ${PUBLIC}
[delivery]
scheduler = 1
channels = outbox,smtp,webhook
backoff_base_s = 60
backoff_max_s = 600
max_attempts = 5
[smtp]
url = smtp://127.0.0.1:${smtpPort}
from = jobcenter@example.dk
allow_plain = 1
timeout_s = 5
[webhook]
url = http://127.0.0.1:${hookPort}/journal
secret = ${SECRET}
timeout_s = 5
`,
    });
    outbox = path.join(s.dir, 'outbox');
    smtp = await startSmtp(smtpPort, path.join(s.dir, 'mail'));
  });

  after(async () => {
    await stopSmtp(smtp);
    if (hook) await new Promise((r) => hook.server.close(r));
    if (s) {
      if (s.proc) await s.stop();
      // no CPR in any mail, webhook payload, log line or API answer
      const everything = [...mails(), ...hook.got.map((g) => g.body), s.stderr, cliLog,
        ...s.allReceived()].join('\n');
      for (const c of cprs) assert.ok(!everything.includes(c), 'a CPR leaked outside the outbox');
      await s.cleanup();
    }
  });

  it('enrol: the written guidance goes out at once to the outbox and by e-mail (scheduler thread)', async () => {
    const e = await enrol();
    const [letter] = await waitFor('the outbox letter', () => lettersFor(e.cpr).length && lettersFor(e.cpr));
    await waitFor('the e-mail', () => mailsTo(e.email).length);
    // the MeMo message: well-formed, every field
    assertWellFormed(letter.file);
    assert.match(letter.id, UUID4);
    assert.match(letter.xml, new RegExp(`<memo:messageUUID>${letter.id}</memo:messageUUID>`));
    assert.match(letter.xml, /<memo:label>Skriftlig vejledning om dine rettigheder og pligter<\/memo:label>/);
    assert.match(letter.xml, /<memo:Sender>\s*<memo:senderID>\d{8}<\/memo:senderID>\s*<memo:idType>CVR<\/memo:idType>/);
    assert.match(letter.xml, new RegExp(`<memo:recipientID>${e.cpr}</memo:recipientID>\\s*<memo:idType>CPR</memo:idType>`));
    assert.match(letter.xml, /<memo:createdDateTime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/memo:createdDateTime>/);
    assert.match(letter.xml, /<memo:encodingFormat>application\/pdf<\/memo:encodingFormat>/);
    assert.equal(letter.url, e.link, 'the self-service action is the personal link');
    assert.match(letter.xml, /<memo:actionCode>SELVBETJENING<\/memo:actionCode>/);
    const b64 = /<memo:content>([^<]+)<\/memo:content>/.exec(letter.xml)[1];
    const pdf = Buffer.from(b64, 'base64');
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    // the PDF beside it is the same document, and it reads
    const pdfFile = letter.file.replace(/\.xml$/, '.pdf');
    assert.deepEqual(fs.readFileSync(pdfFile), pdf);
    const text = pdfText(pdfFile);
    assert.ok(text.includes(NAME), `the name with æøå in the PDF:\n${text}`);
    assert.ok(text.includes('Skriftlig vejledning om dine'), 'the heading');
    assert.ok(text.includes('Dagpenge'), 'the target group');
    assert.ok(text.includes('Du skal stå til rådighed'), "the group's guidance text");
    // what the guidance rests on and since when (the demo pack: valid from 1 January 2026,
    // no last day)
    assert.ok(text.replace(/\s+/g, ' ').includes(`Vejledningen bygger på: ${DAGPENGE.legal_basis}. Reglerne gælder fra 1. januar 2026.`),
      `the legal basis and first day:\n${text}`);
    assert.ok(text.includes(e.link), 'the personal link');
    assert.ok(text.includes('Jobcenter Eksempelby'), 'the municipality');
    assert.ok(!text.includes(e.cpr), 'no CPR in the letter itself');
    // the e-mail: the same letter attached, the link in the text, its message id
    const [mail] = mailsTo(e.email);
    assert.match(mail, /^Message-ID: <[0-9a-f-]{36}@vejled>/m);
    assert.match(mail, /Content-Type: application\/pdf/);
    const plain = Buffer.from(/charset=utf-8\r?\nContent-Transfer-Encoding: base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n--/.exec(mail)[1].replace(/\s/g, ''), 'base64').toString('utf8');
    assert.ok(plain.includes(e.link), 'the link in the e-mail text');
    assert.ok(plain.includes(`Vejledningen bygger på: ${DAGPENGE.legal_basis}. Reglerne gælder fra 1. januar 2026.`), 'the legal basis in the e-mail text');
    // journalled, once per channel, with message id and the SHA-256 of what was sent
    const entries = await journalOf(e.citizen_id);
    const done = sent(entries, 'written_guidance_sent');
    assert.deepEqual(done.map((x) => x.data.channel).sort(), ['outbox', 'smtp']);
    const ob = done.find((x) => x.data.channel === 'outbox');
    assert.equal(ob.data.message_id, letter.id);
    assert.equal(ob.data.sha256, sha256(fs.readFileSync(letter.file)));
    assert.equal(ob.data.pdf_sha256, sha256(pdf));
    assert.equal(ob.actor, 'scheduler');
    const sm = done.find((x) => x.data.channel === 'smtp');
    assert.ok(mail.includes(`<${sm.data.message_id}@vejled>`));
    assert.equal(sm.data.sha256, sha256(Buffer.from(mail, 'utf8')), 'the hash of the message as received');
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'done');
    // from here on the passes are run by hand
    await s.stop();
    fs.writeFileSync(s.configFile, fs.readFileSync(s.configFile, 'utf8').replace('scheduler = 1', 'scheduler = 0'));
    await s.start();
  });

  it('webhook down: retried with back-off; delivered in order once it is back, signed', async () => {
    const e = await enrol();
    hook.up = false;
    const T = t0 + 3600e3;
    let r = await jobsRun(at(T));
    assert.equal(r.status, 0, r.stderr);
    assert.ok(hook.refused >= 1, `the webhook was tried: ${r.stderr}\n${JSON.stringify(jobsOf().filter((j) => j.kind === 'deliver_journal'))}`);
    const head = jobsOf().filter((j) => j.kind === 'deliver_journal' && j.state === 'pending');
    const first = head.find((j) => j.attempts === '1');
    assert.ok(first, 'one delivery attempted once');
    assert.match(first.last_error, /HTTP 503/);
    assert.equal(Date.parse(first.next_attempt_at), T + 60e3, 'first retry after backoff_base_s');
    assert.ok(head.filter((j) => j.attempts !== '0').length === 1, 'nothing overtook the failed head');
    // again before the back-off is over: no attempt
    const refused = hook.refused;
    await jobsRun(at(T + 30e3));
    assert.equal(hook.refused, refused, 'no attempt inside the back-off');
    // still down at the retry: the back-off doubles
    await jobsRun(at(T + 60e3));
    assert.equal(hook.refused, refused + 1);
    const again = jobsOf().find((j) => j.kind === 'deliver_journal' && j.attempts === '2');
    assert.equal(Date.parse(again.next_attempt_at), T + 60e3 + 120e3);
    // the citizen changes target group while the entries about the old enrolment wait:
    // the change cancels the old enrolment's letters, never the journal's delivery
    const waiting = jobsOf(e.enrolment_id).filter((j) => j.kind === 'deliver_journal');
    assert.ok(waiting.length >= 2 && waiting.every((j) => j.state === 'pending'), JSON.stringify(waiting));
    const letterJobs = jobsOf(e.enrolment_id).filter((j) => j.kind !== 'deliver_journal' && j.state === 'pending').length;
    const moved = await s.api('PUT', `/api/v1/citizens/${e.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2030-05-01T09:00:00Z' },
    });
    assert.equal(moved.status, 201, moved.text);
    assert.ok(jobsOf(e.enrolment_id).filter((j) => j.kind === 'deliver_journal').every((j) => j.state === 'pending'),
      'the journal\'s delivery of the old enrolment\'s entries is still owed');
    const changed = (await journalOf(e.citizen_id)).find((x) => x.kind === 'group_changed');
    assert.equal(changed.data.jobs_cancelled, letterJobs, 'the journal counts the letters cancelled, nothing else');
    // down past max_attempts (5): the first entry is never given up, and nothing overtakes it
    const delivered = hook.got.length;
    for (const dt of [180e3, 420e3, 900e3]) assert.equal((await jobsRun(at(T + dt))).status, 0);
    const tried = jobsOf().filter((j) => j.kind === 'deliver_journal' && j.state !== 'done' && j.attempts !== '0');
    assert.equal(tried.length, 1, JSON.stringify(tried));
    assert.equal(tried[0].attempts, '5');
    assert.equal(tried[0].state, 'pending', 'still owed after max_attempts');
    assert.equal(Date.parse(tried[0].next_attempt_at), T + 900e3 + 600e3, 'tried again after backoff_max_s');
    assert.equal(hook.got.length, delivered, 'no later entry went out before it');
    assert.ok(!jobsOf().some((j) => j.kind === 'deliver_journal' && j.state === 'failed'));
    // the operator sees it: on /metrics and on the administrator's start page
    const owed = jobsOf().filter((j) => j.kind === 'deliver_journal' && j.state === 'pending').length;
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    assert.match(metrics, new RegExp(`^vejled_journal_undelivered ${owed}$`, 'm'));
    assert.match(metrics, /^vejled_journal_delivery_attempts 5$/m);
    assert.match(metrics, /^vejled_journal_undelivered_oldest_seconds \d+$/m);
    const admin = await staff(s, 'admin');
    let home = await admin.get('/admin');
    assert.match(text(home.text), new RegExp(`Sagssystemet modtager ikke journalen Journalposter, der venter på at blive leveret: ${owed}\\. Den første er nr\\. \\d+, i kø siden .+\\. Forsøg på at levere den: 5, senest med fejlen webhook: HTTP 503`));
    // back up, and "Prøv igen nu": tried on the next pass, not at the end of its back-off
    hook.up = true;
    const retry = await admin.post('/admin/journal/igen', { csrf: formCsrf(home.text, '/admin/journal/igen') });
    assert.equal(retry.status, 303);
    assert.equal(retry.headers.location, '/admin');
    assert.match(text((await admin.get(retry.headers.location)).text), /Den bliver prøvet igen nu\./);
    const retried = jobsOf().find((j) => j.id === tried[0].id);
    assert.equal(retried.attempts, '5', 'its attempts stay counted (the metric says how long it was refused)');
    assert.ok(Date.parse(retried.next_attempt_at) <= Date.now(), 'due now');
    // everything delivered, in journal order, each once
    r = await jobsRun(at(T + 960e3));
    home = await admin.get('/admin');
    assert.doesNotMatch(text(home.text), /Sagssystemet modtager ikke journalen/);
    assert.match(await (await fetch(`${s.base}/metrics`)).text(), /^vejled_journal_undelivered 0$/m);
    assert.equal(r.status, 0, r.stderr);
    const seqs = hook.got.map((g) => JSON.parse(g.body).seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in order');
    assert.equal(new Set(seqs).size, seqs.length, 'each once');
    const maxSeq = Number(sqlite(s.db, 'SELECT max(seq) FROM journal;').trim());
    assert.deepEqual(seqs, Array.from({ length: maxSeq }, (_, i) => i + 1), 'every entry, from the first');
    assert.deepEqual(hook.unverified, [], 'every delivery passed the Standard Webhooks check');
    for (const g of hook.got) {
      // Standard Webhooks: id, timestamp of the attempt, v1 signature of id.timestamp.body
      assert.match(g.headers['webhook-id'], UUID4);
      assert.ok(Math.abs(Number(g.headers['webhook-timestamp']) - Date.now() / 1000) < 60,
        'the timestamp is the real time of the attempt, not the pass\'s --now');
      assert.match(g.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);
      // the deprecated header, for one release: HMAC of the body with the secret string
      const mac = crypto.createHmac('sha256', SECRET).update(g.body).digest('hex');
      assert.equal(g.headers['x-vejled-signature'], `sha256=${mac}`);
      assert.equal(g.headers['x-vejled-delivery'], g.headers['webhook-id']);
      assert.match(g.headers['content-type'], /^application\/json/);
      // the hash recorded for the delivery is that of the body received
      const rec = sqlite(s.db, `SELECT sha256 FROM deliveries WHERE message_id = '${g.headers['webhook-id']}';`).trim();
      assert.equal(rec, sha256(Buffer.from(g.body, 'utf8')));
    }
    // webhook-id is the same on every attempt of one entry
    for (const t of hook.tries) {
      const ok = hook.got.find((g) => JSON.parse(g.body).seq === JSON.parse(t.body).seq);
      assert.equal(t.headers['webhook-id'], ok.headers['webhook-id'], 'the retry kept its webhook-id');
    }
    // a captured delivery replayed later is refused: its timestamp is stale
    const captured = hook.got[0];
    assert.doesNotThrow(() => verifier.verify(captured.body, captured.headers));
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 10 * 60e3; // the replay, ten minutes later
      assert.throws(() => verifier.verify(captured.body, captured.headers), /timestamp too old/);
    } finally {
      Date.now = realNow;
    }
    // nor can the timestamp be freshened, or the body changed, without the secret
    const fresh = { ...captured.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) + 1) };
    assert.throws(() => verifier.verify(captured.body, fresh), /No matching signature/);
    assert.throws(() => verifier.verify(captured.body.replace('"seq":', '"seq": '), captured.headers), /No matching signature/);
    const mine = hook.got.map((g) => JSON.parse(g.body)).filter((x) => x.citizen_id === e.citizen_id);
    assert.ok(mine.some((x) => x.kind === 'enrolled') && mine.some((x) => x.kind === 'written_guidance_sent'));
    assert.ok(jobsOf().filter((j) => j.kind === 'deliver_journal').every((j) => j.state === 'done'));
    // a further pass sends nothing again
    const n = hook.got.length;
    await jobsRun(at(T + 1020e3));
    assert.equal(hook.got.length, n + (Number(sqlite(s.db, 'SELECT max(seq) FROM journal;').trim()) - maxSeq));
  });

  it('SMTP down: the job is retried, the outbox letter is not sent twice, the e-mail goes once', async () => {
    const port = smtp.port;
    await stopSmtp(smtp);
    const e = await enrol();
    const T = t0 + 2 * 3600e3;
    let r = await jobsRun(at(T));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(lettersFor(e.cpr).length, 1, 'the outbox got its letter');
    const job = jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    assert.equal(job.state, 'pending');
    assert.equal(job.attempts, '1');
    assert.match(job.last_error, /^smtp: /);
    smtp = await startSmtp(port, smtp.dir);
    r = await jobsRun(at(T + 60e3));
    assert.equal(r.status, 0, r.stderr);
    await jobsRun(at(T + 120e3));
    assert.equal(lettersFor(e.cpr).length, 1, 'still one outbox letter');
    assert.equal(mailsTo(e.email).length, 1, 'one e-mail');
    const entries = sent(await journalOf(e.citizen_id), 'written_guidance_sent');
    assert.deepEqual(entries.map((x) => x.data.channel).sort(), ['outbox', 'smtp']);
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'done');
  });

  it('a letter not sent before a new link was issued is written anew with the new link', async () => {
    // e-mail only, with the sink down: the letter is recorded (with its link) but not sent
    const ini = path.join(s.dir, 'smtp-only.ini');
    fs.writeFileSync(ini, `${fs.readFileSync(s.configFile, 'utf8')}\n[delivery]\nchannels = smtp\n`);
    const run = (now) => {
      const r = cli(['jobs', 'run', '--db', s.db, '--config', ini, '--now', now]);
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    const port = smtp.port;
    await stopSmtp(smtp);
    const e = await enrol();
    const T = t0 + 3 * 3600e3;
    run(at(T));
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'pending');
    const fresh = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/link`);
    assert.equal(fresh.status, 201, fresh.text);
    smtp = await startSmtp(port, smtp.dir);
    run(at(T + 3600e3));
    const mine = mailsTo(e.email);
    assert.ok(mine.length >= 1, 'the letters went out');
    for (const m of mine) assert.ok(!mailText(m).includes(e.link), 'no e-mail carries the replaced link');
    const guidance = sent(await journalOf(e.citizen_id), 'written_guidance_sent');
    assert.equal(guidance.length, 1);
    assert.equal(guidance[0].data.channel, 'smtp');
    assert.equal(guidance[0].data.link_expires_at, fresh.json.expires_at, 'the letter names the link it carries');
    const letter = mine.find((m) => sha256(Buffer.from(m, 'utf8')) === guidance[0].data.sha256);
    assert.ok(letter, 'the journal hashes the very e-mail sent');
    assert.ok(mailText(letter).includes(fresh.json.link), 'the written guidance carries the new link');
  });

  it('a letter sent by one channel before a new link was issued does not send the replaced link by another', async () => {
    const port = smtp.port;
    await stopSmtp(smtp);
    const e = await enrol();
    const T = t0 + 5 * 3600e3;
    assert.equal((await jobsRun(at(T))).status, 0);
    assert.equal(lettersFor(e.cpr).length, 1, 'the outbox got its letter');
    const fresh = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/link`);
    assert.equal(fresh.status, 201, fresh.text);
    smtp = await startSmtp(port, smtp.dir);
    assert.equal((await jobsRun(at(T + 3600e3))).status, 0);
    const mine = mailsTo(e.email);
    for (const m of mine) assert.ok(!mailText(m).includes(e.link), 'no e-mail carries the replaced link');
    assert.ok(mine.some((m) => mailText(m).includes(fresh.json.link)), 'the new link went by e-mail');
    const entries = await journalOf(e.citizen_id);
    assert.deepEqual(sent(entries, 'written_guidance_sent').map((x) => x.data.channel), ['outbox']);
    assert.deepEqual(sent(entries, 'new_link_sent').map((x) => x.data.channel).sort(), ['outbox', 'smtp']);
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'done');
  });

  it('a letter that fails for good reaches the case system: letter_failed over the webhook, with its reason, its hash recomputed from the body', async () => {
    // e-mail only, one attempt, the mail server down: the letter fails in its first pass
    const ini = path.join(s.dir, 'smtp-once.ini');
    fs.writeFileSync(ini, `${fs.readFileSync(s.configFile, 'utf8')}\n[delivery]\nchannels = smtp,webhook\nmax_attempts = 1\n`);
    const port = smtp.port;
    await stopSmtp(smtp);
    const e = await enrol();
    const T = t0 + 5.5 * 3600e3;
    const r = await jobsRun(at(T), {}, ini);
    assert.equal(r.status, 0, r.stderr);
    smtp = await startSmtp(port, smtp.dir);
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'failed');
    // the same pass delivered the journal, the new entry with it
    const got = hook.got.filter((g) => {
      const x = JSON.parse(g.body);
      return x.kind === 'letter_failed' && x.citizen_id === e.citizen_id;
    });
    assert.equal(got.length, 1, `one letter_failed delivery: ${hook.got.map((g) => g.body).join('\n')}`);
    assert.deepEqual(hook.unverified, [], 'it passed the Standard Webhooks check');
    const [g] = got;
    const entry = JSON.parse(g.body);
    assert.equal(entry.actor, 'scheduler');
    assert.equal(entry.enrolment_id, e.enrolment_id);
    assert.equal(entry.at, at(T), 'when the job failed');
    assert.deepEqual(entry.data, { letter: 'send_written_guidance', attempts: 1, reason: 'channel_refused' });
    // the case system recomputes its hash from the body's own text, as from the journal API
    const raw = rawData(g.body, 1);
    assert.equal(raw.length, 1, g.body);
    assert.deepEqual(JSON.parse(raw[0]), entry.data);
    assert.equal(journalHash(entry, entry.citizen_id, raw[0]), entry.hash, `the hash recomputes: ${g.body}`);
    const api = (await journalOf(e.citizen_id)).find((x) => x.seq === entry.seq);
    assert.equal(api.kind, 'letter_failed');
    assert.equal(api.hash, entry.hash, 'the entry the journal API gives');
    assert.equal(api.prev_hash, entry.prev_hash);
  });

  it('a letter that one channel sent and another failed for good: letter_failed names the copy that is missing, never "not sent"', async () => {
    // outbox and e-mail, one attempt, the mail server down: the outbox takes it, the e-mail fails
    const ini = path.join(s.dir, 'both-once.ini');
    fs.writeFileSync(ini, `${fs.readFileSync(s.configFile, 'utf8')}\n[delivery]\nchannels = outbox,smtp,webhook\nmax_attempts = 1\n`);
    const port = smtp.port;
    await stopSmtp(smtp);
    const e = await enrol();
    const T = t0 + 5.6 * 3600e3;
    const r = await jobsRun(at(T), {}, ini);
    assert.equal(r.status, 0, r.stderr);
    smtp = await startSmtp(port, smtp.dir);
    const job = jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    assert.equal(job.state, 'failed');
    assert.equal(lettersFor(e.cpr).length, 1, 'the outbox has the letter');
    const entries = await journalOf(e.citizen_id);
    assert.deepEqual(sent(entries, 'written_guidance_sent').map((x) => x.data.channel), ['outbox']);
    const failed = entries.find((x) => x.kind === 'letter_failed');
    assert.deepEqual(failed.data, { letter: 'send_written_guidance', attempts: 1, reason: 'channel_refused',
      sent_by: ['outbox'], not_sent: ['smtp'] });
    assert.ok(entries.indexOf(failed) > entries.findIndex((x) => x.kind === 'written_guidance_sent'), 'after the outbox\'s own entry');
    // the caseworker's record and the administrator's list say which copy is missing
    const admin = await staff(s, 'admin');
    const page = text((await admin.get(`/medarbejder/borger/${e.citizen_id}`)).text);
    assert.match(page, /E-mail-kopien af brevet kunne ikke sendes \(opgivet\); brevet er lagt i udbakken til Digital Post/);
    assert.doesNotMatch(page, /Brev kunne ikke sendes \(udsendelsen opgivet\)/);
    const list = await admin.get('/admin/breve');
    const row = text(list.text.split('<li class="vejled-letter">').find((x) => x.includes(e.citizen_id)));
    assert.match(row, /Brevet er lagt i udbakken til Digital Post\. Det er e-mail-kopien, der ikke blev sendt\./);
    // sent again once the mail server is back: only the e-mail goes, the outbox letter stays one
    const action = `/admin/breve/${job.id}/igen`;
    assert.equal((await admin.post(action, { csrf: formCsrf(list.text, action) })).status, 303);
    assert.equal((await jobsRun(at(T + 60e3), {}, ini)).status, 0);
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'done');
    assert.equal(lettersFor(e.cpr).length, 1);
    assert.equal(mailsTo(e.email).length, 1);
  });

  /** The hashes of what a letter's channels delivered: the outbox files and the e-mails. */
  function delivered(e) {
    const [letter] = lettersFor(e.cpr);
    const pdfFile = letter.file.replace(/\.xml$/, '.pdf');
    const inXml = Buffer.from(/<memo:content>([^<]+)<\/memo:content>/.exec(letter.xml)[1], 'base64');
    return {
      letter,
      xml: sha256(fs.readFileSync(letter.file)),
      pdf: sha256(fs.readFileSync(pdfFile)),
      pdfInXml: sha256(inXml),
      mails: mailsTo(e.email).map((m) => ({ sha: sha256(Buffer.from(m, 'utf8')), pdf: sha256(attachment(m)), text: m })),
    };
  }

  it('crash between the outbox write and its record (SIGKILL): after a restart exactly one letter per job, and the journal hashes are those of the delivered files', async () => {
    const e = await enrol();
    const T = t0 + 3 * 3600e3;
    const r = await jobsRun(at(T), { VEJLED_FAULT: 'after_channel_write' });
    assert.equal(r.signal, 'SIGKILL', `the pass was killed: ${r.stderr}`);
    assert.equal(lettersFor(e.cpr).length, 1, 'the letter was written before the crash');
    const job = jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    // the letter was rendered once, and both channels' intents (with its bytes) recorded before any write
    assert.equal(sqlite(s.db, `SELECT count(*) FROM deliveries WHERE state = 'intent' AND job_id = ${job.id};`).trim(), '2');
    assert.equal(sent(await journalOf(e.citizen_id), 'written_guidance_sent').length, 0, 'not recorded yet');
    const before = delivered(e);
    // the job is still claimed: a pass within the lease leaves it alone
    await jobsRun(at(T + 60e3));
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'running');
    // after the lease it runs again (a later time, so a letter rendered anew would differ):
    // same message id, the very same bytes, so no second, different letter
    for (const k of [601e3, 700e3, 800e3]) assert.equal((await jobsRun(at(T + k))).status, 0);
    assert.equal(lettersFor(e.cpr).length, 1, 'exactly one outbox letter');
    assert.equal(mailsTo(e.email).length, 1, 'exactly one e-mail');
    const entries = sent(await journalOf(e.citizen_id), 'written_guidance_sent');
    assert.deepEqual(entries.map((x) => x.data.channel).sort(), ['outbox', 'smtp']);
    const ob = entries.find((x) => x.data.channel === 'outbox');
    const sm = entries.find((x) => x.data.channel === 'smtp');
    const now = delivered(e);
    assert.equal(ob.data.message_id, now.letter.id);
    assert.equal(now.xml, before.xml, 'the outbox files were not touched by the retry');
    assert.equal(ob.data.sha256, now.xml, 'the journal has the hash of the XML in the outbox');
    assert.equal(ob.data.pdf_sha256, now.pdf, 'the journal has the hash of the PDF in the outbox');
    assert.equal(now.pdfInXml, now.pdf, 'the XML carries that very PDF');
    assert.equal(sm.data.sha256, now.mails[0].sha, 'the journal has the hash of the e-mail as received');
    assert.equal(sm.data.pdf_sha256, now.pdf, 'the e-mail carries the same letter as the outbox');
    assert.equal(now.mails[0].pdf, now.pdf);
    assert.match(now.letter.xml, new RegExp(`<memo:createdDateTime>${at(T)}</memo:createdDateTime>`), 'the letter has the time of its intent');
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'done');
    // the sealed copies are gone once the job is done
    assert.equal(sqlite(s.db, `SELECT count(*) FROM deliveries WHERE job_id = ${job.id} AND (payload_box IS NOT NULL OR pdf_box IS NOT NULL);`).trim(), '0');
    // and the chain is intact
    assert.equal(cli(['verify', '--db', s.db]).status, 0);
  });

  it('crash between the SMTP send and its record (SIGKILL): the repeat is the same message, byte for byte, and the journal hash is its hash', async () => {
    const e = await enrol();
    const T = t0 + 3.5 * 3600e3;
    const r = await jobsRun(at(T), { VEJLED_FAULT: 'after_channel_write:smtp' });
    assert.equal(r.signal, 'SIGKILL', `the pass was killed after the e-mail: ${r.stderr}`);
    assert.equal(mailsTo(e.email).length, 1, 'the e-mail went out before the crash');
    const outboxDone = sent(await journalOf(e.citizen_id), 'written_guidance_sent');
    assert.deepEqual(outboxDone.map((x) => x.data.channel), ['outbox'], 'the outbox letter was recorded, the e-mail not');
    for (const k of [601e3, 700e3]) assert.equal((await jobsRun(at(T + k))).status, 0);
    const got = delivered(e);
    // SMTP cannot be made idempotent from here: the repeat is the same message (same
    // Message-ID, same bytes), which the receiving side can drop
    assert.equal(got.mails.length, 2, 'sent again after the crash');
    assert.equal(got.mails[0].text, got.mails[1].text, 'the very same message, not a second letter');
    const entries = sent(await journalOf(e.citizen_id), 'written_guidance_sent');
    assert.deepEqual(entries.map((x) => x.data.channel).sort(), ['outbox', 'smtp']);
    const sm = entries.find((x) => x.data.channel === 'smtp');
    assert.equal(sm.data.sha256, got.mails[0].sha, 'the journal has the hash of the e-mail as received');
    assert.equal(sm.data.pdf_sha256, got.mails[0].pdf);
    assert.equal(sm.data.pdf_sha256, got.pdf, 'the same letter as in the outbox');
    assert.equal(entries.find((x) => x.data.channel === 'outbox').data.sha256, got.xml);
    assert.equal(lettersFor(e.cpr).length, 1);
    assert.equal(cli(['verify', '--db', s.db]).status, 0);
  });

  it('an intent recorded without its letter (by the version before stored letters) keeps its message id, and the journal hashes the files in the outbox', async () => {
    const e = await enrol();
    const T = t0 + 3.75 * 3600e3;
    const r = await jobsRun(at(T), { VEJLED_FAULT: 'after_channel_write:outbox' });
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    const job = jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance');
    // what an upgraded database holds: the intents with their message ids, nothing more
    sqlite(s.db, `UPDATE deliveries SET payload_box = NULL, pdf_box = NULL, sha256 = '', data = '{}' WHERE job_id = ${job.id};`);
    // and the letter would come out differently now (a new name), so only hashing the
    // files themselves gives the right journal
    sqlite(s.db, `UPDATE citizens SET name = 'Søren Ny Åberg' WHERE uuid = '${e.citizen_id}';`);
    const ids = sqlite(s.db, `SELECT channel || ' ' || message_id FROM deliveries WHERE job_id = ${job.id} ORDER BY channel;`).trim();
    const before = delivered(e);
    assert.equal((await jobsRun(at(T + 601e3))).status, 0);
    assert.equal(sqlite(s.db, `SELECT channel || ' ' || message_id FROM deliveries WHERE job_id = ${job.id} ORDER BY channel;`).trim(), ids, 'the same message ids');
    const got = delivered(e);
    assert.equal(lettersFor(e.cpr).length, 1, 'one outbox letter');
    assert.equal(got.xml, before.xml, 'the outbox file from before is kept');
    assert.equal(got.mails.length, 1, 'one e-mail');
    const entries = sent(await journalOf(e.citizen_id), 'written_guidance_sent');
    const ob = entries.find((x) => x.data.channel === 'outbox');
    const sm = entries.find((x) => x.data.channel === 'smtp');
    assert.equal(ob.data.sha256, got.xml, 'the hash of the XML that lies in the outbox, not of a new rendering');
    assert.equal(ob.data.pdf_sha256, got.pdf);
    assert.equal(sm.data.sha256, got.mails[0].sha);
    assert.equal(sm.data.pdf_sha256, got.mails[0].pdf);
    assert.equal(jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').state, 'done');
  });

  let changed; // {old, new} for the resend test
  it('group change: the new group’s guidance goes out at once; the resend moves', async () => {
    const e = await enrol({ first_meeting_at: '2030-03-01T09:00:00Z' });
    const T = t0 + 4 * 3600e3;
    await jobsRun(at(T));
    assert.equal(lettersFor(e.cpr).length, 1);
    const r = await s.api('PUT', `/api/v1/citizens/${e.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2030-05-01T09:00:00Z' },
    });
    assert.equal(r.status, 201, r.text);
    await jobsRun(at(T + 60e3));
    const mine = lettersFor(e.cpr);
    assert.equal(mine.length, 2, 'the new group’s letter');
    const newest = mine.find((l) => l.url === r.json.link);
    assert.ok(newest, 'the new letter carries the new link');
    const text = pdfText(newest.file.replace(/\.xml$/, '.pdf'));
    assert.ok(text.includes('Sygedagpenge'), text);
    // the old enrolment's resend is cancelled, the new one's is due from the new meeting
    assert.ok(jobsOf(e.enrolment_id).every((j) => j.state !== 'pending'));
    const resend = jobsOf(r.json.enrolment_id).find((j) => j.kind === 'resend_written_guidance');
    assert.equal(resend.due_at, '2030-11-01T10:00:00Z'); // 11:00 summer → 11:00 winter time
    changed = { e, n: r.json };
  });

  let reminded;
  it('meeting − N days: a reminder only to those who have not completed', async () => {
    const open = await enrol({ first_meeting_at: '2030-03-10T09:00:00Z' });
    const done = await enrol({ first_meeting_at: '2030-03-10T09:00:00Z' });
    // the second citizen completed the videos
    sqlite(s.db, `UPDATE enrolments SET opened_at = 1, completed_at = 2 WHERE uuid = '${done.enrolment_id}';`);
    await jobsRun(at(t0 + 5 * 3600e3)); // their first letters
    const reminder = jobsOf(open.enrolment_id).find((j) => j.kind === 'remind_before_meeting');
    assert.equal(reminder.due_at, '2030-03-07T08:00:00Z', '3 days before, 09:00 Copenhagen');
    await jobsRun('2030-03-07T07:59:59Z');
    assert.equal(sent(await journalOf(open.citizen_id), 'reminder_sent').length, 0, 'not before it is due');
    await jobsRun('2030-03-07T08:00:00Z');
    const got = sent(await journalOf(open.citizen_id), 'reminder_sent');
    assert.deepEqual(got.map((x) => x.data.channel).sort(), ['outbox', 'smtp']);
    const letter = lettersFor(open.cpr).find((l) => l.label === 'Husk at se videoerne før dit møde');
    assert.ok(letter, 'the reminder letter');
    assertWellFormed(letter.file);
    assert.equal(mailsTo(open.email).length, 2);
    assert.equal(sent(await journalOf(done.citizen_id), 'reminder_sent').length, 0, 'not to the one who completed');
    assert.equal(mailsTo(done.email).length, 1);
    const cancelled = jobsOf(done.enrolment_id).find((j) => j.kind === 'remind_before_meeting');
    assert.equal(cancelled.state, 'cancelled');
    reminded = open;
  });

  it('first meeting + 6 months: the resend goes out exactly once however often jobs run is called', async () => {
    const due = '2030-09-10T08:00:00Z'; // 10 March 10:00 CET + 6 months = 10 September 10:00 CEST
    assert.equal(jobsOf(reminded.enrolment_id).find((j) => j.kind === 'resend_written_guidance').due_at, due);
    await jobsRun('2030-09-10T07:59:59Z');
    assert.equal(sent(await journalOf(reminded.citizen_id), 'written_guidance_resent').length, 0);
    for (let i = 0; i < 3; i++) assert.equal((await jobsRun(due)).status, 0);
    await jobsRun('2030-09-11T00:00:00Z');
    await jobsRun('2031-01-01T00:00:00Z');
    const entries = await journalOf(reminded.citizen_id);
    const resent = sent(entries, 'written_guidance_resent');
    assert.deepEqual(resent.map((x) => x.data.channel).sort(), ['outbox', 'smtp'], 'once per channel');
    assert.equal(mailsTo(reminded.email).length, 3, 'welcome, reminder, resend');
    // the link had expired by then: the resend carries a fresh one, and it works
    assert.ok(entries.some((x) => x.kind === 'link_issued' && x.actor === 'scheduler'));
    const letter = lettersFor(reminded.cpr).find((l) => l.id === resent.find((x) => x.data.channel === 'outbox').data.message_id);
    assert.notEqual(letter.url, reminded.link);
    const page = await s.request('GET', new URL(letter.url).pathname);
    assert.ok([200, 302, 303].includes(page.status), `fresh link: ${page.status}`);
    // the group change moved the other citizen's resend: not at the old time, at the new
    const old = sent(await journalOf(changed.e.citizen_id), 'written_guidance_resent');
    assert.deepEqual(old.map((x) => x.data.channel).sort(), ['outbox', 'smtp'],
      'only the new group’s resend (2030-11-01) has gone out by 2031');
    for (const x of old) assert.equal(x.enrolment_id, changed.n.enrolment_id);
    // not in the September passes (the old resend time), but in the first pass after 1 November
    for (const x of old) assert.equal(x.at, '2031-01-01T00:00:00Z');
  });

  it('vejled evidence: one PDF with letters, meeting and note, and the journal; no CPR', async () => {
    const m = await s.api('POST', `/api/v1/enrolments/${reminded.enrolment_id}/meeting`, {
      body: { held_at: nowIso(), oral_guidance: true, note: 'Borgeren spurgte til ferie og rådighed.' },
    });
    assert.equal(m.status, 200, m.text);
    const file = path.join(s.dir, 'evidence.pdf');
    const r = cli(['evidence', '--db', s.db, '--citizen', reminded.citizen_id, '--out', file]);
    assert.equal(r.status, 0, r.stderr);
    const text = pdfText(file).replace(/\s+/g, ' ');
    assert.ok(text.includes('Dokumentation for vejledning'));
    assert.ok(text.includes(NAME));
    const entries = await journalOf(reminded.citizen_id);
    for (const x of sent(entries, 'written_guidance_sent')) {
      assert.ok(text.includes(x.data.message_id.slice(0, 8)), `message id ${x.data.message_id}`);
    }
    assert.ok(text.includes('Påmindelse sendt') && text.includes('Skriftlig vejledning sendt igen'), 'the letters in words');
    assert.ok(!text.includes('reminder_sent') && !text.includes('written_guidance_resent'), 'not as codes');
    assert.ok(text.includes('Borgeren spurgte til ferie og rådighed.'), 'the note');
    assert.ok(text.includes('mundtlig vejledning givet: ja'));
    assert.ok(!text.includes(reminded.cpr), 'no CPR');
    // what each channel did: the outbox holds the letter for Digital Post, SMTP sent it
    assert.ok(text.includes('Påmindelse lagt i udbakken til Digital Post') && text.includes('Påmindelse sendt som e-mail'), text);
    assert.ok(!text.includes('via Digital Post'), 'the outbox is not called sending');
    // the checkpoint was just signed: the case system does not have it yet, and the PDF says so
    const signed = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')).checkpoint.signed_seq;
    assert.ok(text.includes('Kontrolpunktets journalpost var ikke afleveret til sagssystemet'), text);
    assert.ok(!text.includes('Kontrolpunktet er afleveret til sagssystemet'));
    // once the webhook has delivered its entry, the same checkpoint's PDF says when
    await jobsRun('2031-02-01T00:00:00Z');
    const cp = sqlite(s.db, `SELECT journal_seq FROM checkpoints WHERE signed_seq = ${signed}`).trim();
    assert.ok(hook.got.some((g) => JSON.parse(g.body).seq === Number(cp)), 'the checkpoint entry went to the case system');
    const again = cli(['evidence', '--db', s.db, '--citizen', reminded.citizen_id, '--out', file, '--checkpoint-seq', String(signed)]);
    assert.equal(again.status, 0, again.stderr);
    const delivered = pdfText(file).replace(/\s+/g, ' ');
    assert.ok(delivered.includes(`Kontrolpunktet er afleveret til sagssystemet som journalpost ${cp} den 1. februar 2031 kl. 01.00.`), delivered);
    const missing = cli(['evidence', '--db', s.db, '--citizen', '00000000-0000-4000-8000-000000000000', '--out', file]);
    assert.equal(missing.status, 1);
    assert.equal(cli(['evidence', '--db', s.db]).status, 2);
  });

  it('a [webhook] secret that says whsec_ but is not base64 stops the scheduler with a clear line', () => {
    const ini = path.join(s.dir, 'bad-secret.ini');
    for (const secret of ['whsec_not base64!', 'whsec_']) {
      fs.writeFileSync(ini, fs.readFileSync(s.configFile, 'utf8').replace(/^secret = .*$/m, `secret = ${secret}`));
      const r = cli(['jobs', 'run', '--db', s.db, '--config', ini]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /\[webhook\] secret is not whsec_<base64 of random bytes>: what follows the prefix is not base64 of at least one byte/);
      assert.ok(!r.stderr.includes(secret.slice(6) || 'whsec_ '), 'the secret is not echoed');
    }
    // none at all: it must be set
    fs.writeFileSync(ini, fs.readFileSync(s.configFile, 'utf8').replace(/^secret = .*$/m, ''));
    const r = cli(['jobs', 'run', '--db', s.db, '--config', ini]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /\[webhook\] secret must be set: whsec_<base64/);
  });

  it('a returning citizen: the new enrolment\'s letter goes to the name and address the case system gives now; the journal says which changed, not to what; a refused enrolment or an address left out changes nothing', async () => {
    const contact = (e) => sqlite(s.db, `SELECT name || '|' || coalesce(email, '') FROM citizens WHERE uuid = '${e.citizen_id}'`).trim();
    const first = await enrol({ target_group: 'dagpenge' });
    await jobsRun();
    assert.equal(mailsTo(first.email).length, 1);
    const newEmail = `flyttet${++mailNo}@example.dk`;
    const newName = 'Åse Ærø Østergård';
    const again = (group, citizen) => {
      const body = enrolBody(first.cpr, { target_group: group, first_meeting_at: '2030-03-10T09:00:00Z' });
      body.citizen = { cpr: first.cpr, ...citizen };
      return s.api('POST', '/api/v1/enrolments', { body });
    };
    // refused (already enrolled in that group): nothing changes
    let r = await again('dagpenge', { name: newName, email: newEmail });
    assert.equal(r.status, 409, r.text);
    assert.equal(contact(first), `${NAME}|${first.email}`);
    // enrolled in another group with a new name and address: both are used from now on
    r = await again('sygedagpenge', { name: newName, email: newEmail });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.citizen_id, first.citizen_id, 'the same citizen');
    assert.equal(contact(first), `${newName}|${newEmail}`);
    await jobsRun();
    const [mail] = mailsTo(newEmail);
    assert.ok(mail, 'the new letter goes to the new address');
    assert.equal(mailsTo(first.email).length, 1, 'and nothing more to the old one');
    const pdf = path.join(s.dir, 'returning.pdf');
    fs.writeFileSync(pdf, attachment(mail));
    assert.ok(pdfText(pdf).includes(newName), 'the letter names the citizen by the new name');
    let enrolled = sent(await journalOf(first.citizen_id), 'enrolled');
    assert.equal(enrolled.length, 2);
    assert.equal(enrolled[0].data.contact_updated, undefined);
    assert.deepEqual(enrolled[1].data.contact_updated, ['name', 'email']);
    const journal = JSON.stringify(await journalOf(first.citizen_id));
    assert.ok(!journal.includes(newEmail) && !journal.includes(newName), 'the journal holds no contact data');
    // a third group without an address, the same name: the address on file stays
    r = await again('kontanthjaelp-aktivitetsparat', { name: newName });
    assert.equal(r.status, 201, r.text);
    assert.equal(contact(first), `${newName}|${newEmail}`);
    enrolled = sent(await journalOf(first.citizen_id), 'enrolled');
    assert.equal(enrolled.length, 3);
    assert.equal(enrolled[2].data.contact_updated, undefined);
  });
  it('an entry the case system refuses for good is given up only by an operator (jobs skip): journalled, delivered in its place, the rest follows', async () => {
    const T = t0 + 7 * 3600e3;
    assert.equal((await jobsRun(at(T))).status, 0); // whatever earlier tests left: delivered
    const before = hook.got.length;
    hook.up = false;
    const e = await enrol();
    assert.equal((await jobsRun(at(T + 60e3))).status, 0);
    const head = jobsOf().find((j) => j.kind === 'deliver_journal' && j.state === 'pending' && j.attempts === '1');
    assert.ok(head, JSON.stringify(jobsOf().filter((j) => j.kind === 'deliver_journal' && j.state !== 'done')));
    const headSeq = Number(sqlite(s.db, `SELECT ref FROM jobs WHERE id = ${head.id}`).trim());
    const skippedKind = sqlite(s.db, `SELECT kind FROM journal WHERE seq = ${headSeq}`).trim();
    // only that job, and only between attempts: any other is refused, changing nothing
    const later = jobsOf().find((j) => j.kind === 'deliver_journal' && j.state === 'pending' && j.id !== head.id);
    for (const id of [later.id, jobsOf(e.enrolment_id).find((j) => j.kind === 'send_written_guidance').id, '999999']) {
      const r = cli(['jobs', 'skip', '--db', s.db, '--job', id]);
      assert.equal(r.status, 1, `${id}: ${r.stderr}`);
      assert.match(r.stderr, /is not the first journal entry waiting for the webhook's next attempt .*: nothing changed/);
    }
    assert.equal(cli(['jobs', 'skip', '--db', s.db]).status, 2);
    const r = cli(['jobs', 'skip', '--db', s.db, '--job', head.id]);
    assert.equal(r.status, 0, r.stderr);
    const ended = jobsOf().find((j) => j.id === head.id);
    assert.equal(ended.state, 'cancelled');
    assert.match(ended.last_error, /^skipped by an operator: webhook: HTTP 503/);
    const entries = (await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`)).json.entries;
    const told = entries.find((x) => x.kind === 'delivery_skipped');
    assert.ok(told, entries.map((x) => x.kind).join(' '));
    assert.deepEqual(told.data, { seq: headSeq, kind: skippedKind, attempts: 1 });
    assert.equal(told.actor, 'system');
    assert.equal(cli(['verify', '--db', s.db]).status, 0, 'the chain holds');
    // back up: everything after the skipped entry goes, in order, the skipped one never
    hook.up = true;
    assert.equal((await jobsRun(at(T + 120e3))).status, 0);
    const seqs = hook.got.slice(before).map((g) => JSON.parse(g.body).seq);
    assert.ok(!seqs.includes(headSeq), `the skipped entry was not delivered: ${seqs}`);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in order');
    assert.ok(seqs.includes(told.seq), 'the entry that says so was');
    assert.ok(seqs.includes(headSeq + 1), 'and the one after the skipped entry');
    const page = text((await (await staff(s, 'admin')).get(`/medarbejder/borger/${e.citizen_id}`)).text);
    assert.match(page, /Journalpost ikke leveret til sagssystemet \(opgivet af driften\)/);
  });
});

describe('upgrading a database whose journal delivery was given up', () => {
  it('migration 0033 makes a failed journal delivery owed again, due at once; a failed letter stays failed', () => {
    const old = databaseBefore('0033');
    try {
      const { db } = old;
      // as an older release left them: the first entry's delivery failed after max_attempts,
      // the next one went out after it; a letter failed too
      sqlite(db, `INSERT INTO jobs(kind, enrolment_id, unique_key, due_at, state, attempts, next_attempt_at,
          last_error, created_at, finished_at, ref) VALUES
        ('deliver_journal', NULL, 'deliver_journal:1', 100, 'failed', 8, 900, 'webhook: HTTP 503', 100, 900, 1),
        ('deliver_journal', NULL, 'deliver_journal:2', 100, 'done', 1, 100, '', 100, 950, 2),
        ('send_written_guidance', NULL, 'l1', 100, 'failed', 8, 900, 'smtp: refused', 100, 900, 0);`);
      old.apply('0033');
      const rows = sqlite(db, `SELECT unique_key || ' ' || state || ' ' || next_attempt_at || ' ' || coalesce(finished_at, -1)
        || ' ' || attempts || ' ' || last_error FROM jobs ORDER BY id`).trim().split('\n');
      assert.deepEqual(rows, [
        'deliver_journal:1 pending 0 -1 8 webhook: HTTP 503',
        'deliver_journal:2 done 100 950 1 ',
        'l1 failed 900 900 8 smtp: refused',
      ]);
    } finally {
      old.cleanup();
    }
  });
});
