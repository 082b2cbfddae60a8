// Fenced, renewable job claims: two `vejled jobs run` processes on one database, a slow
// SMTP sink and a short lease, so that the first pass outlives the lease of the jobs it
// has claimed but not started yet and the second pass claims them.  Every letter goes out
// exactly once per channel: the first process renews the lease of the job it is sending
// and is refused (and says so) on the jobs the second took over.  Also: a channel timeout
// that is not shorter than the lease is refused at start.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { BIN, ROOT, assertNoSanitizerReport, cli, enrolBody, freshCpr, nowSeconds, sleep, sqlite, startServer } from './harness.mjs';
import { freePort, startSmtp, stopSmtp } from './helpers/smtp.mjs';

const LEASE_S = 5;
const SMTP_DELAY_S = 0.4;
const CITIZENS = 24; // × 0.4 s of SMTP alone: about twice the lease

let s;
let smtp;

/* `vejled jobs run` (real time) as a child process; resolves when it exits. */
function jobsRun(config) {
  const args = ['jobs', 'run', '--db', s.db, '--config', config];
  const env = { ...process.env };
  for (const k of ['VEJLED_DB', 'VEJLED_LISTEN', 'VEJLED_CONFIG']) delete env[k];
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (status, signal) => {
      assertNoSanitizerReport(stderr, `vejled ${args.join(' ')}`);
      resolve({ status, signal, stderr });
    });
  });
}

function mails() {
  if (!fs.existsSync(smtp.dir)) return [];
  return fs.readdirSync(smtp.dir).filter((f) => f.endsWith('.eml'))
    .map((f) => fs.readFileSync(path.join(smtp.dir, f), 'utf8'));
}

function outboxXml() {
  const dir = path.join(s.dir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

const countBy = (xs) => xs.reduce((m, x) => m.set(x, (m.get(x) || 0) + 1), new Map());

describe('fenced job claims', () => {
  before(async () => {
    const port = await freePort();
    s = await startServer({
      config: `[delivery]
scheduler = 0
channels = outbox,smtp
job_lease_s = ${LEASE_S}
[smtp]
url = smtp://127.0.0.1:${port}
timeout_s = ${LEASE_S - 1}
allow_plain = 1
`,
    });
    smtp = await startSmtp(port, path.join(s.dir, 'mail'), SMTP_DELAY_S);
  });

  after(async () => {
    await stopSmtp(smtp);
    if (s) await s.cleanup();
  });

  it('two schedulers on one database with a slow mail server: every letter exactly once per channel', async () => {
    const people = [];
    for (let i = 0; i < CITIZENS; i++) {
      const cpr = freshCpr();
      const email = `fenced${i}@example.dk`;
      const body = enrolBody(cpr);
      body.citizen = { cpr, name: `Borger ${i}`, email };
      const r = await s.api('POST', '/api/v1/enrolments', { body });
      assert.equal(r.status, 201, r.text);
      people.push({ cpr, email, citizen: r.json.citizen_id });
    }
    await s.stop(); // the two passes below are the only schedulers
    const due = Number(sqlite(s.db, `SELECT count(*) FROM jobs WHERE state = 'pending' AND next_attempt_at <= ${nowSeconds()};`).trim());
    assert.ok(due >= CITIZENS, `at least ${CITIZENS} letters due (${due})`);
    const started = Date.now();
    const first = jobsRun(s.configFile);
    // the first pass has claimed every due job with one lease; once that lease has run out
    // for the jobs it has not reached yet, a second pass claims them
    await sleep((LEASE_S + 1) * 1000);
    const second = jobsRun(s.configFile);
    const [a, b] = await Promise.all([first, second]);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.ok(seconds > LEASE_S + 1, `the first pass outlived the lease (${seconds} s)`);
    assert.match(b.stderr, /jobs run: [1-9]\d* claimed/, `the second pass took jobs over:\n${b.stderr}`);
    // the first process was refused on the jobs it lost, and said so
    assert.match(a.stderr, /its lease ran out and another scheduler claimed it; this run's result is refused/,
      `the stale holder logged its refusal:\n${a.stderr}`);
    // anything left (a retry) goes in a last pass
    const last = await jobsRun(s.configFile);
    assert.equal(last.status, 0, last.stderr);

    // every letter exactly once per channel
    const all = mails();
    const byId = countBy(all.map((m) => /^Message-ID: <([^>]+)>/m.exec(m)[1]));
    for (const [id, n] of byId) assert.equal(n, 1, `e-mail ${id} went out ${n} times`);
    const byTo = countBy(all.map((m) => /^To: <([^>]+)>/m.exec(m)[1]));
    const xml = outboxXml();
    for (const p of people) {
      assert.equal(byTo.get(p.email), 1, `one e-mail to ${p.email}`);
      assert.equal(xml.filter((x) => x.includes(`<memo:recipientID>${p.cpr}</memo:recipientID>`)).length, 1, 'one outbox letter');
    }
    // journalled once per channel, and the database agrees with what was received
    const journalled = Number(sqlite(s.db, "SELECT count(*) FROM journal WHERE kind = 'written_guidance_sent';").trim());
    const smtpSent = Number(sqlite(s.db, "SELECT count(*) FROM deliveries WHERE channel = 'smtp' AND state = 'sent';").trim());
    const outboxSent = Number(sqlite(s.db, "SELECT count(*) FROM deliveries WHERE channel = 'outbox' AND state = 'sent';").trim());
    assert.equal(smtpSent, all.length, 'every e-mail received is recorded once');
    assert.equal(outboxSent, xml.length, 'every outbox letter is recorded once');
    assert.equal(journalled, smtpSent + outboxSent, 'one journal entry per sending');
    assert.equal(sqlite(s.db, "SELECT count(*) FROM jobs WHERE kind = 'send_written_guidance' AND state <> 'done';").trim(), '0');
    assert.equal(cli(['verify', '--db', s.db]).status, 0);
  });

  it('a channel timeout that is not shorter than the lease is refused at start', () => {
    const ini = path.join(s.dir, 'slow.ini');
    fs.writeFileSync(ini, fs.readFileSync(s.configFile, 'utf8').replace(/^timeout_s = .*$/m, `timeout_s = ${LEASE_S}`));
    const before = sqlite(s.db, 'SELECT count(*) FROM deliveries;').trim();
    const r = cli(['jobs', 'run', '--db', s.db, '--config', ini]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`\\[smtp\\] timeout_s \\(${LEASE_S}\\) must be shorter than \\[delivery\\] job_lease_s \\(${LEASE_S}\\)`));
    assert.equal(sqlite(s.db, 'SELECT count(*) FROM deliveries;').trim(), before, 'nothing was sent or changed');
  });
});
