// Every letter exactly once across servers: two `vejled serve` processes, each with its
// scheduler thread, and a looping `vejled jobs run` share one database file (WAL, a long
// busy timeout: the single-machine case of several servers) and deliver many due letters
// through the outbox and a slow SMTP sink.  The lease is the shortest allowed and the
// claim batch large, so that a scheduler's lease runs out on the tail of its batch while it
// is still sending the head, another one takes those jobs over, and the stale holder is
// refused when it reaches them: the test requires at least one such refusal, so it cannot
// pass without contention.  Then, per job and channel, exactly one outbox letter and one
// e-mail (none twice by message id, none twice by content), every job done, and
// `vejled verify` passes.
//
// TWOSERVERS_JOBS (default 150; `make soak`: 5000) due letters, TWOSERVERS_SMTP_DELAY
// (seconds the sink waits before it accepts each message; default 0.05; `make soak`: 0.03).  A scheduler
// claims up to CLAIM_BATCH jobs at once and sends them one after the other, so the first
// claim of the run holds 150 jobs x 0.05 s of sink delay alone: longer than the
// lease however fast the machine.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { BIN, ROOT, Server, assertNoSanitizerReport, cli, enrolBody, freshCpr, isPgDb, nowSeconds, sleep, sqlite, startServer } from './harness.mjs';
import { freePort, startSmtp } from './helpers/smtp.mjs';

const JOBS = Number(process.env.TWOSERVERS_JOBS || 150);
const SMTP_DELAY_S = Number(process.env.TWOSERVERS_SMTP_DELAY || 0.05);
const LEASE_S = 5; // the shortest [delivery] job_lease_s allowed
const CLAIM_BATCH = 200;
const ENROL_CONCURRENCY = 8;
// bounded: enrolling and delivering get a generous budget per job on a loaded machine
const DEADLINE_MS = 60_000 + JOBS * 400;

assert.ok(Number.isInteger(JOBS) && JOBS > 0, 'TWOSERVERS_JOBS is a positive integer');
assert.ok(Math.min(JOBS, CLAIM_BATCH) * SMTP_DELAY_S > LEASE_S, 'a first claim outlives the lease (more jobs or a longer delay)');
assert.ok(SMTP_DELAY_S >= 0 && SMTP_DELAY_S < LEASE_S - 1, 'TWOSERVERS_SMTP_DELAY is shorter than the SMTP timeout');

let s; // the first server (its folder holds the database, the outbox and the mail)
const extra = []; // the second server
let smtp;
let loop; // the looping `vejled jobs run`

async function stopProc(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  process.kill(proc.pid, 'SIGTERM');
  const timer = setTimeout(() => { try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
  await exited;
  clearTimeout(timer);
}

/* `vejled jobs run` again and again until stopped; collects every pass's stderr. */
function jobsLoop(config) {
  const env = { ...process.env };
  for (const k of ['VEJLED_DB', 'VEJLED_LISTEN', 'VEJLED_CONFIG']) delete env[k];
  const state = { stop: false, proc: null, stderr: '', passes: 0, failures: [] };
  state.done = (async () => {
    while (!state.stop) {
      const p = spawn(BIN, ['jobs', 'run', '--db', s.db, '--config', config], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      state.proc = p;
      let err = '';
      p.stderr.on('data', (d) => { err += d; });
      const status = await new Promise((resolve, reject) => {
        p.on('error', reject);
        p.on('close', (code, signal) => resolve({ code, signal }));
      });
      state.proc = null;
      state.stderr += err;
      state.passes++;
      if (status.code !== 0 && !(state.stop && status.signal === 'SIGTERM')) state.failures.push(`${JSON.stringify(status)}: ${err}`);
      if (!state.stop) await sleep(200);
    }
  })();
  return state;
}

function readDir(dir, ext) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

const countBy = (xs) => xs.reduce((m, x) => m.set(x, (m.get(x) || 0) + 1), new Map());
const sha = (x) => crypto.createHash('sha256').update(x).digest('hex');
/* A count from the shared database while three processes write it: the sqlite3 CLI with a
 * busy timeout of its own, so that a read never fails on a lock (psql on PostgreSQL). */
function num(sql) {
  if (isPgDb(s.db)) return Number(sqlite(s.db, sql).trim());
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 30000', s.db, sql], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

function assertOnce(counts, what) {
  const twice = [...counts].filter(([, n]) => n !== 1);
  assert.deepEqual(twice, [], `${what}: each exactly once`);
}

describe('every letter exactly once across servers', () => {
  let config;

  before(async () => {
    const port = await freePort();
    s = await startServer({
      config: `[database]
busy_timeout_ms = 60000
[delivery]
scheduler = 0
channels = outbox,smtp
job_lease_s = ${LEASE_S}
claim_batch = ${CLAIM_BATCH}
max_attempts = 100
backoff_base_s = 1
backoff_max_s = 2
[smtp]
url = smtp://127.0.0.1:${port}
timeout_s = ${LEASE_S - 1}
allow_plain = 1
`,
    });
    smtp = await startSmtp(port, path.join(s.dir, 'mail'), SMTP_DELAY_S);
    // the same settings with the scheduler thread on, for the two servers
    config = path.join(s.dir, 'sched.ini');
    fs.writeFileSync(config, fs.readFileSync(s.configFile, 'utf8').replace(/^scheduler = 0$/m, 'scheduler = 1'));
  });

  after(async () => {
    if (loop) {
      loop.stop = true;
      await stopProc(loop.proc);
      await loop.done.catch(() => {});
    }
    for (const x of extra) {
      if (x.proc && !x.exit) { x.proc.kill('SIGKILL'); await x.exited; }
    }
    await stopProc(smtp && smtp.proc);
    if (s) await s.cleanup();
  });

  it(`two servers and a looping jobs run deliver ${JOBS} letters, each exactly once per channel`, { timeout: DEADLINE_MS + 60_000 }, async () => {
    const deadline = Date.now() + DEADLINE_MS;
    const t0 = Date.now();
    const due = "kind = 'send_written_guidance'";
    const demo = num(`SELECT count(*) FROM jobs WHERE ${due} AND state = 'pending';`); // the demo's own letters go too
    // the letters become due through the API, with the schedulers still off
    const people = [];
    for (let i = 0; i < JOBS; i++) {
      const cpr = freshCpr();
      people.push({ cpr, email: `twoservers${i}@example.dk` });
    }
    let next = 0;
    await Promise.all(Array.from({ length: ENROL_CONCURRENCY }, async () => {
      while (next < people.length) {
        const p = people[next++];
        const body = enrolBody(p.cpr);
        body.citizen = { cpr: p.cpr, name: 'Borger', email: p.email };
        const r = await s.api('POST', '/api/v1/enrolments', { body });
        assert.equal(r.status, 201, r.text);
      }
    }));
    await s.stop();
    const enrolled = (Date.now() - t0) / 1000;
    const total = JOBS + demo;
    assert.equal(num(`SELECT count(*) FROM jobs WHERE ${due} AND state = 'pending' AND next_attempt_at <= ${nowSeconds()};`), total,
      'one due letter per enrolment');
    assert.equal(num('SELECT count(*) FROM deliveries;'), 0, 'nothing sent yet');

    // two servers with their scheduler threads and a looping `jobs run`, on one database
    const t1 = Date.now();
    s.serveArgs = ['--config', config];
    const b = new Server(s.dir);
    b.db = s.db; // the same database (on PostgreSQL a URL, not the folder's file)
    b.serveArgs = ['--config', config];
    extra.push(b);
    await Promise.all([s.start(), b.start()]);
    loop = jobsLoop(config);
    for (;;) {
      const left = num(`SELECT count(*) FROM jobs WHERE ${due} AND state <> 'done';`);
      if (left === 0) break;
      assert.ok(Date.now() < deadline, `${left} of ${total} letters still not done in time`);
      await sleep(500);
    }
    const delivered = (Date.now() - t1) / 1000;
    loop.stop = true;
    await stopProc(loop.proc);
    await loop.done;
    await Promise.all([s.stop(), b.stop()]);
    assert.deepEqual(loop.failures, [], 'every `jobs run` pass succeeded');
    const logs = s.stderr + b.stderr + loop.stderr;
    assertNoSanitizerReport(loop.stderr, 'vejled jobs run');

    // contention happened: a stale holder was refused at least once
    const refused = (logs.match(/another scheduler claimed it; this run's result (\(\w+\) )?is refused/g) || []).length;
    const reclaimed = num(`SELECT count(*) FROM jobs WHERE ${due} AND attempts > 1;`);
    assert.ok(refused >= 1, `at least one stale holder was refused (reclaimed jobs: ${reclaimed})`);
    assert.ok(reclaimed >= 1, 'at least one job was claimed again after its lease ran out');
    const byServer = [s.stderr, b.stderr].map((e) => [...e.matchAll(/scheduler: (\d+) job\(s\): (\d+) done/g)].reduce((n, m) => n + Number(m[2]), 0));
    const byLoop = [...loop.stderr.matchAll(/jobs run: \d+ claimed, (\d+) done/g)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(byServer[0] + byServer[1] + byLoop, total, 'each letter ended once, by one scheduler, and counted there');

    // every letter exactly once per channel: by recipient, by message id, by content
    const mails = readDir(smtp.dir, '.eml');
    const xml = readDir(path.join(s.dir, 'outbox'), '.xml');
    const pdfs = fs.readdirSync(path.join(s.dir, 'outbox')).filter((f) => f.endsWith('.pdf'));
    const smtpSent = num("SELECT count(*) FROM deliveries WHERE channel = 'smtp' AND state = 'sent';");
    assert.ok(smtpSent >= JOBS, 'an e-mail for every enrolled citizen');
    assert.equal(mails.length, smtpSent, 'every e-mail received is recorded once');
    assert.equal(xml.length, total, 'one outbox message per letter');
    assert.equal(pdfs.length, total, 'one outbox PDF per letter');
    assertOnce(countBy(mails.map((m) => /^Message-ID: <([^>]+)>/m.exec(m)[1])), 'e-mail message ids');
    assertOnce(countBy(mails.map(sha)), 'e-mail contents');
    assertOnce(countBy(xml.map((x) => /<memo:messageUUID>([^<]+)</.exec(x)[1])), 'outbox message ids');
    assertOnce(countBy(xml.map(sha)), 'outbox contents');
    const byTo = countBy(mails.map((m) => /^To: <([^>]+)>/m.exec(m)[1]));
    const byCpr = countBy(xml.map((x) => /<memo:recipientID>([^<]+)</.exec(x)[1]));
    for (const p of people) {
      assert.equal(byTo.get(p.email), 1, 'one e-mail to each citizen');
      assert.equal(byCpr.get(p.cpr), 1, 'one outbox letter to each citizen');
    }
    // the database agrees: one sent delivery per job and channel, one journal entry each
    assert.equal(sqlite(s.db, `SELECT count(*) FROM (SELECT job_id, channel FROM deliveries
      WHERE state = 'sent' GROUP BY job_id, channel HAVING count(*) <> 1) AS t;`).trim(), '0');
    assert.equal(num("SELECT count(*) FROM deliveries WHERE channel = 'outbox' AND state = 'sent';"), total);
    assert.equal(num("SELECT count(*) FROM deliveries WHERE state <> 'sent';"), 0, 'no sending left half done');
    assert.equal(num("SELECT count(*) FROM journal WHERE kind = 'written_guidance_sent';"), total + smtpSent, 'one journal entry per sending');
    assert.equal(num(`SELECT count(*) FROM jobs WHERE ${due} AND state <> 'done';`), 0, 'every job done');
    assert.equal(num("SELECT count(*) FROM jobs WHERE state IN ('running', 'failed');"), 0, 'nothing left running or failed');
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, v.stderr);
    console.log(`# twoservers: ${total} letters (${JOBS} enrolled + ${demo} of the demo), 2 servers + jobs run (${loop.passes} passes); ` +
      `enrolled in ${enrolled.toFixed(1)} s, delivered in ${delivered.toFixed(1)} s; ` +
      `done by server ${byServer.join(' + ')}, by jobs run ${byLoop}; ` +
      `${reclaimed} jobs claimed again, ${refused} stale results refused; duplicates 0`);
  });
});
