// A full disk (test build): while a flag file exists, every write that would grow a file of
// the database fails as ENOSPC does (SQLITE_FULL), and so do the writes of the outbox's
// letters, of media files and of the upload spool (VEJLED_TEST_DISK_FULL, server/base/fault.h).
// The test fills the disk and frees it again while the server runs.
//
// What must hold: a write that finds no space is answered with a clear 503 and Retry-After,
// changes nothing (no row, no journal entry, no file named as if complete), never crashes
// the server, and the very same request goes through once the space is back, without a
// restart.  A letter that cannot be placed in the outbox stays pending, is not journalled
// as sent, and goes out once when the space is back.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readyCitizen } from './answers.mjs';
import { Browser, PG, cli, enrolBody, freshCpr, isTestBuild, jobsList, sqlite, startServer, tableCounts } from './harness.mjs';
import { enrolCitizen, formCsrf, hiddenFields, meetingNow, staff } from './staffkit.mjs';

const SKIP = PG ? 'a full disk is simulated in the SQLite test VFS'
  : !isTestBuild() && 'needs the test build (VEJLED_TEST_DISK_FULL)';

/* Every row count and the journal's tail: what "nothing changed" means here. */
function fingerprint(db) {
  return {
    counts: tableCounts(db),
    tail: sqlite(db, 'SELECT seq, kind, hash FROM journal ORDER BY seq DESC LIMIT 1;').trim(),
  };
}

/* The files of dir (recursively, names relative to dir), empty when it does not exist. */
function filesIn(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/* A started server whose test build finds the disk full while `flag` exists (scope: only
 * 'database' or only 'files'; both without). */
async function fullDiskServer({ config = '', scope } = {}) {
  const s = await startServer({ start: false, config });
  const flag = path.join(s.dir, 'disk-full');
  s.env = { VEJLED_TEST_DISK_FULL: flag, ...(scope ? { VEJLED_TEST_DISK_FULL_SCOPE: scope } : {}) };
  await s.start();
  return { s, flag };
}

/* Space back, the server stopped (when it runs) and its folder removed. */
async function cleanupFull(s, flag) {
  if (!s) return;
  if (flag) fs.rmSync(flag, { force: true });
  if (s.proc) await s.stop();
  await s.cleanup();
}

describe('a full disk', { skip: SKIP }, () => {
  let s;
  let flag;
  const fill = () => fs.writeFileSync(flag, '');
  const free = () => fs.rmSync(flag, { force: true });

  before(async () => {
    ({ s, flag } = await fullDiskServer());
  });
  after(() => cleanupFull(s, flag));

  it('citizen answers: 503 with Retry-After, nothing stored or journalled; the same form goes through once space is back', async () => {
    const c = await readyCitizen(s);
    const before = fingerprint(s.db);
    fill();
    let r;
    try {
      r = await c.browser.post('/borger/video/1', c.fields);
    } finally {
      free();
    }
    assert.equal(r.status, 503, `a full disk: ${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(Number(r.headers['retry-after']) > 0, 'Retry-After says when to try again');
    assert.match(r.headers['content-type'], /text\/html/);
    assert.deepEqual(fingerprint(s.db), before, 'no answer, no journal entry');
    assert.equal(s.exit, null, 'the server runs on');

    const again = await c.browser.post('/borger/video/1', c.fields);
    assert.equal(again.status, 303, again.text.slice(0, 300));
    const stored = Number(sqlite(s.db, `SELECT count(*) FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
      WHERE e.uuid = '${c.enrolment}';`).trim());
    assert.equal(stored, c.questions, 'every answer stored once');
    const journalled = Number(sqlite(s.db, `SELECT count(*) FROM journal
      WHERE kind = 'answers_submitted' AND enrolment_uuid = '${c.enrolment}';`).trim());
    assert.equal(journalled, 1, 'one submission journalled');
    assert.equal(cli(['verify', '--db', s.db]).status, 0, 'the journal verifies');
  });

  it('citizen pages that only read are still served on a full disk', async () => {
    const c = await readyCitizen(s);
    fill();
    try {
      for (const p of ['/borger', '/borger/video/1']) {
        const r = await c.browser.get(p);
        assert.equal(r.status, 200, `${p}: ${r.status} ${r.text.slice(0, 200)}`);
      }
      const h = await s.request('GET', '/healthz');
      assert.equal(h.status, 200);
    } finally {
      free();
    }
  });

  it('opening a letter\'s link on a full disk: 503 with Retry-After, no session; the link opens once space is back', async () => {
    const e = await enrolCitizen(s);
    const b = new Browser(s);
    const before = fingerprint(s.db);
    fill();
    let r;
    try {
      r = await b.get(e.path);
    } finally {
      free();
    }
    assert.equal(r.status, 503, `${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.equal(b.cookies.size, 0, 'no session cookie for a session that was not stored');
    assert.deepEqual(fingerprint(s.db), before);
    const again = await b.get(e.path);
    assert.equal(again.status, 303);
    assert.ok(b.cookies.size > 0);
  });

  it('API enrolment: 503 storage_full with Retry-After, nothing written; the same request goes through after', async () => {
    const body = enrolBody(freshCpr());
    const before = fingerprint(s.db);
    fill();
    let r;
    try {
      r = await s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': 'disk-full-1' } });
    } finally {
      free();
    }
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'storage_full');
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.deepEqual(fingerprint(s.db), before, 'nothing written');
    const again = await s.api('POST', '/api/v1/enrolments', { body, headers: { 'Idempotency-Key': 'disk-full-1' } });
    assert.equal(again.status, 201, again.text);
  });

  it('API meeting: 503 storage_full, nothing recorded; recorded after', async () => {
    const e = await enrolCitizen(s);
    const body = { held_at: new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z'), oral_guidance: true };
    const before = fingerprint(s.db);
    fill();
    let r;
    try {
      r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, { body });
    } finally {
      free();
    }
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'storage_full');
    assert.deepEqual(fingerprint(s.db), before, 'nothing written');
    const again = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, { body });
    assert.equal(again.status, 200, again.text);
  });

  it('staff meeting form: 503 page with Retry-After, nothing recorded; the same form goes through after', async () => {
    const cw1 = await staff(s, 'cw1');
    const e = await enrolCitizen(s, { caseworker: 'cw1' });
    const url = `/medarbejder/borger/${e.citizen_id}/moede`;
    const page = await cw1.get(url);
    assert.equal(page.status, 200);
    const fields = { ...hiddenFields(page.text, url), ...meetingNow(), mundtlig: 'ja', note: 'Disken var fuld' };
    const before = fingerprint(s.db);
    fill();
    let r;
    try {
      r = await cw1.post(url, fields);
    } finally {
      free();
    }
    assert.equal(r.status, 503, `${r.status} ${r.text.slice(0, 300)}`);
    assert.ok(Number(r.headers['retry-after']) > 0);
    const after = fingerprint(s.db);
    // the staff session's "last seen" mark may or may not have been written before the
    // disk filled; nothing else may change
    delete before.counts.staff_sessions;
    delete after.counts.staff_sessions;
    assert.deepEqual(after, before, 'no meeting, no journal entry');
    const again = await cw1.post(url, fields);
    assert.equal(again.status, 303, again.text.slice(0, 300));
    const n = Number(sqlite(s.db, `SELECT count(*) FROM journal WHERE kind = 'meeting_recorded'
      AND enrolment_uuid = '${e.enrolment_id}';`).trim());
    assert.equal(n, 1);
  });

  it('a caseworker does not see a citizen\'s data when the read cannot be written to the access log', async () => {
    const cw1 = await staff(s, 'cw1');
    const e = await enrolCitizen(s, { caseworker: 'cw1' });
    const url = `/medarbejder/borger/${e.citizen_id}`;
    const logged = () => Number(sqlite(s.db, 'SELECT count(*) FROM access_log;').trim());
    const before = logged();
    fill();
    let r;
    try {
      r = await cw1.get(url);
    } finally {
      free();
    }
    if (r.status === 200) {
      assert.ok(logged() > before, 'a page shown is a read logged');
    } else {
      assert.equal(r.status, 503, `${r.status} ${r.text.slice(0, 200)}`);
      assert.ok(!r.text.includes(e.cpr), 'no CPR on the refusal');
    }
    const again = await cw1.get(url);
    assert.equal(again.status, 200);
    assert.ok(logged() > before);
    // the list shows many citizens' names and scores: the same rule (for a citizen it
    // shows for the first time today, so that it has a row to write)
    await enrolCitizen(s, { caseworker: 'cw1' });
    const listed = () => Number(sqlite(s.db, "SELECT count(*) FROM access_log WHERE page = 'list';").trim());
    const before2 = listed();
    fill();
    let list;
    try {
      list = await cw1.get('/medarbejder/borgere');
    } finally {
      free();
    }
    if (list.status === 200) {
      assert.ok(listed() > before2, 'a list shown is a read logged');
    } else {
      assert.equal(list.status, 503, `${list.status} ${list.text.slice(0, 200)}`);
      assert.equal(listed(), before2);
      assert.ok(!list.text.includes(e.citizen_id), 'no citizen on the refusal');
    }
    assert.equal((await cw1.get('/medarbejder/borgere')).status, 200);
    assert.ok(listed() > before2);
  });

  it('the server survives a full disk under a burst of submissions and recovers without a restart', async () => {
    const citizens = [];
    for (let i = 0; i < 6; i++) citizens.push(await readyCitizen(s));
    const before = fingerprint(s.db);
    fill();
    let answers;
    try {
      answers = await Promise.all(citizens.map((c) => c.browser.post('/borger/video/1', c.fields)));
    } finally {
      free();
    }
    for (const r of answers) assert.equal(r.status, 503, `${r.status}`);
    assert.deepEqual(fingerprint(s.db), before, 'nothing of the burst is stored');
    const again = await Promise.all(citizens.map((c) => c.browser.post('/borger/video/1', c.fields)));
    for (const r of again) assert.equal(r.status, 303);
    assert.equal(cli(['verify', '--db', s.db]).status, 0);
    const ic = sqlite(s.db, 'PRAGMA integrity_check;').trim();
    assert.equal(ic, 'ok');
  });
});

describe('a full disk when the server stops', { skip: SKIP }, () => {
  let s;
  let flag;
  before(async () => {
    ({ s, flag } = await fullDiskServer());
  });
  after(() => cleanupFull(s, flag));

  it('the last checkpoint finds no space: the stop is clean, and every acknowledged answer is there after a restart', async () => {
    const citizens = [];
    for (let i = 0; i < 3; i++) citizens.push(await readyCitizen(s));
    for (const c of citizens) {
      const r = await c.browser.post('/borger/video/1', c.fields);
      assert.equal(r.status, 303);
    }
    // the checkpoint on close copies the WAL into the database file, which must grow
    fs.writeFileSync(flag, '');
    try {
      await s.stop();
    } finally {
      fs.rmSync(flag, { force: true });
    }
    assert.ok(fs.statSync(`${s.db}-wal`).size > 0, 'the checkpoint found no space: the WAL stays');
    assert.equal(cli(['verify', '--db', s.db]).status, 0);
    await s.start();
    for (const c of citizens) {
      const n = Number(sqlite(s.db, `SELECT count(*) FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
        WHERE e.uuid = '${c.enrolment}';`).trim());
      assert.equal(n, c.questions, 'the acknowledged answers are there');
    }
    assert.equal(sqlite(s.db, 'PRAGMA integrity_check;').trim(), 'ok');
  });
});

describe('a full disk and the outbox', { skip: SKIP }, () => {
  let s;
  let flag;
  before(async () => {
    s = await startServer({
      config: '[delivery]\nscheduler = 0\nchannels = outbox\nbackoff_base_s = 1\nbackoff_max_s = 1\nmax_attempts = 5\njob_lease_s = 5\n',
    });
    flag = path.join(s.dir, 'disk-full');
    // the demo citizens' letters first, so that the outbox holds only those of the tests
    assert.equal(run().status, 0);
    placedBefore = filesIn(s.outboxDir);
  });
  after(() => cleanupFull(s, flag));

  let placedBefore;
  const placedNow = () => filesIn(s.outboxDir).filter((f) => !placedBefore.includes(f));
  const run = (env = {}, now) => cli(['jobs', 'run', '--db', s.db, '--config', s.configFile,
    ...(now ? ['--now', now] : [])], { env });
  const sentOf = (e) => Number(sqlite(s.db, `SELECT count(*) FROM journal WHERE kind = 'written_guidance_sent'
    AND enrolment_uuid = '${e.enrolment_id}';`).trim());
  const journalKinds = (e) => sqlite(s.db, `SELECT kind FROM journal WHERE enrolment_uuid = '${e.enrolment_id}'
    ORDER BY seq;`).trim().split('\n');

  it('a letter that cannot be placed stays pending, is not journalled, leaves no file; it goes out once when space is back', async () => {
    const e = await enrolCitizen(s);
    const kindsBefore = journalKinds(e);
    fs.writeFileSync(flag, '');
    let r;
    try {
      // only the outbox's files are refused (ENOSPC); the database has room to record the try
      r = run({ VEJLED_TEST_DISK_FULL: flag, VEJLED_TEST_DISK_FULL_SCOPE: 'files' });
    } finally {
      fs.rmSync(flag, { force: true });
    }
    assert.equal(r.signal, null, r.stderr);
    assert.match(r.stderr, /No space left on device/, 'the log says why');
    assert.deepEqual(placedNow().filter((f) => !f.startsWith('.')), [], 'no letter named as if placed');
    assert.deepEqual(placedNow(), [], 'no temporary file or marker left either');
    const jobs = jobsList(s.db, e.enrolment_id);
    assert.ok(jobs.length >= 1);
    assert.ok(jobs.every((j) => j.state === 'pending'), `jobs stay pending: ${JSON.stringify(jobs)}`);
    assert.equal(sentOf(e), 0, 'nothing journalled as sent');
    assert.deepEqual(journalKinds(e), kindsBefore, 'no journal entry at all');

    const later = new Date(Date.now() + 5_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const ok = run({}, later);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(placedNow().filter((f) => f.endsWith('.xml')).length, 1, 'one letter placed');
    assert.equal(placedNow().filter((f) => f.endsWith('.pdf')).length, 1);
    assert.equal(placedNow().length, 2, 'and nothing else');
    assert.equal(sentOf(e), 1, 'journalled once as sent');
    assert.equal(run({}, later).status, 0);
    assert.equal(sentOf(e), 1, 'and never again');
  });

  it('database and outbox with no room: the pass places nothing, journals nothing and says why; the letter goes out once after', async () => {
    const e = await enrolCitizen(s);
    const placed = () => placedNow().filter((f) => f.endsWith('.xml')).length;
    const before = placed();
    fs.writeFileSync(flag, '');
    let r;
    try {
      r = run({ VEJLED_TEST_DISK_FULL: flag });
    } finally {
      fs.rmSync(flag, { force: true });
    }
    assert.equal(r.signal, null, r.stderr);
    // a WAL written again from the top needs no new space, so the pass may get as far as
    // the outbox (full too) or fail at its first commit; either way nothing went out
    assert.match(r.stderr, /database or disk is full|No space left on device/, 'the log says why');
    assert.ok(jobsList(s.db, e.enrolment_id).every((j) => j.state === 'pending'), 'the jobs stay pending');
    assert.equal(sentOf(e), 0, 'nothing journalled as sent');
    assert.equal(placed(), before, 'nothing placed: the outbox is on the same full disk');
    const later = new Date(Date.now() + 600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const ok = run({}, later);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(sentOf(e), 1, 'journalled once when the space is back');
    assert.equal(placed(), before + 1, 'placed once');
  });
});

describe('a full disk and a media upload', { skip: SKIP }, () => {
  let s;
  let flag;
  before(async () => {
    ({ s, flag } = await fullDiskServer({ config: '[content]\nmedia_dir = {dir}/media\n[staff]\nmax_upload = 65536\n', scope: 'files' }));
  });
  after(() => cleanupFull(s, flag));

  it('an upload that finds no space: 503 with Retry-After, no file left in the media folder; the same upload works after', async () => {
    const admin = await staff(s, 'admin');
    const packs = await admin.get('/admin/pakker');
    const made = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(packs.text, '/admin/pakker/dagpenge/kladde') });
    assert.equal(made.status, 303, made.text.slice(0, 300));
    const draft = /^\/admin\/pakke\/(\d+)$/.exec(made.headers.location)[1];
    const action = `/admin/pakke/${draft}/video/1/fil`;
    const page = await admin.get(`/admin/pakke/${draft}/video/1`);
    const csrf = formCsrf(page.text, action);
    const video = Buffer.alloc(5000, 7);
    video.writeUInt32BE(24, 0);
    video.write('ftypisom', 4, 'latin1');
    const boundary = '----vejleddiskfull';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`),
      video, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const send = () => s.request('POST', action, {
      headers: admin.headers({ 'Content-Type': `multipart/form-data; boundary=${boundary}`, Origin: s.origin }),
      body,
    });
    const media = path.join(s.dir, 'media');
    const name = `${crypto.createHash('sha256').update(video).digest('hex')}.mp4`;
    const filesBefore = filesIn(media);
    const mediaBefore = sqlite(s.db, `SELECT media FROM videos WHERE pack_id = ${draft} AND position = 1;`).trim();
    fs.writeFileSync(flag, '');
    let r;
    try {
      r = await send();
    } finally {
      fs.rmSync(flag, { force: true });
    }
    assert.equal(r.status, 503, `${r.status} ${r.text.slice(0, 300)}`);
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.deepEqual(filesIn(media), filesBefore, 'no file left, complete-looking or not');
    assert.equal(sqlite(s.db, `SELECT media FROM videos WHERE pack_id = ${draft} AND position = 1;`).trim(), mediaBefore,
      'the draft does not name a file that is not there');
    const again = await send();
    assert.equal(again.status, 303, `${again.status} ${again.text.slice(0, 300)}`);
    assert.ok(fs.existsSync(path.join(media, name)), 'stored under its hash');
    assert.deepEqual(fs.readFileSync(path.join(media, name)), video, 'whole');
  });
});
