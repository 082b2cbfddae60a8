// The server under pressure (server/http/http.c): a request is refused on its headers before its
// body is read, bodies held in memory share one budget ([server] body_budget: 503 with
// Retry-After beyond it), uploads stream to a temporary file that never outlives the
// request, and a submission waiting for a slow disk holds no server thread.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readyCitizen, submit } from './answers.mjs';
import { Browser, PG, SAME_ON_BOTH, sleep, sqlite, startServer } from './harness.mjs';
import { formCsrf, ini, sha256, staff } from './staffkit.mjs';

const MB = 1024 * 1024;

/** The server's resident memory in bytes (VmRSS of /proc/PID/status). */
function rss(s) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

/** How long a client that listens before it sends a body gives the server to answer on the
 * headers alone: generous, because the tests run beside others on a busy machine; a
 * server that answers sooner ends the wait with its close. */
const HEAD_ANSWER_MS = 3000;

/**
 * Sends the request head, then streams `size` body bytes as fast as the server takes them,
 * until the server answers and closes, the body is sent, or `limitMs` passes (then the
 * socket is destroyed).  With waitMs, the body starts only after that pause, and not at all
 * when the server has answered meanwhile (then the server's close, or limitMs, ends it; an
 * answer that comes while the body is being sent may be lost to the connection reset a
 * close with unread data causes).
 * Resolves {sent, reply (the first line received, or ''), received, closedByServer}.
 */
function streamUpload(s, { path: p, headers, size, chunked = false, limitMs = 15_000, control = {}, waitMs = 0 }) {
  return new Promise((resolve) => {
    const sock = net.connect(s.port, '127.0.0.1');
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let received = '';
    let done = false;
    let closedByServer = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ sent, reply: received.split('\r\n')[0], received, closedByServer });
    };
    const timer = setTimeout(finish, limitMs);
    control.abort = finish;
    sock.setNoDelay(true);
    sock.on('data', (d) => { received += d.toString('latin1'); });
    sock.on('end', () => { closedByServer = true; finish(); });
    sock.on('close', () => { closedByServer = closedByServer || !done; finish(); });
    sock.on('error', () => { closedByServer = true; finish(); });
    sock.on('connect', () => {
      const head = [`POST ${p} HTTP/1.1`, `Host: 127.0.0.1:${s.port}`,
        chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      sock.write(head);
      const pump = () => {
        if (received) return; // answered on the headers: no body is sent; the close ends it
        while (!done && sent < size) {
          const n = Math.min(chunk.length, size - sent);
          const piece = chunk.subarray(0, n);
          const data = chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
          sent += n;
          if (!sock.write(data)) {
            sock.once('drain', pump);
            return;
          }
        }
        if (!done && sent >= size && chunked) sock.write('0\r\n\r\n');
      };
      // waitMs: time for an answer on the headers alone before any body byte is sent
      if (waitMs) setTimeout(pump, waitMs);
      else pump();
    });
  });
}

/** p-th percentile (0..100) of numbers. */
function percentile(xs, p) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Every entry of a folder, hidden ones included ([] when it does not exist). */
function entries(dir) {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

describe('refused on the headers, before the body', () => {
  let s;
  let citizen;
  before(async () => {
    s = await startServer();
    citizen = new Browser(s);
    assert.equal((await citizen.follow(new URL(s.demoLink).pathname)).status, 200);
  });
  after(async () => { if (s) await s.cleanup(); });

  it('50 anonymous 60 MB uploads at once: no memory taken, /healthz and citizen pages go on', async () => {
    // warm up what the pages under attack need, then take the idle figure
    for (let i = 0; i < 5; i++) {
      assert.equal((await s.request('GET', '/healthz')).status, 200);
      assert.equal((await citizen.get('/borger')).status, 200);
    }
    const idle = rss(s);
    let peak = idle;
    let tooMuch = false;
    const controls = [];
    const sampler = setInterval(() => {
      const now = rss(s);
      peak = Math.max(peak, now);
      // a server that buffers the bodies would eat gigabytes here: stop the attack early
      if (now - idle > 200 * MB && !tooMuch) {
        tooMuch = true;
        for (const c of controls) c.abort?.();
      }
    }, 10);
    const SIZE = 60 * MB;
    const attackers = [];
    for (let i = 0; i < 50; i++) {
      const control = {};
      controls.push(control);
      attackers.push(streamUpload(s, {
        path: '/admin/pakke/1/video/1/fil',
        headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
        size: SIZE,
        limitMs: 10_000,
        // one of them waits for the answer before it sends the body, as a polite client
        // does (Expect-like): the others may see their connection reset before the answer
        // arrives, which is a race of the network, not of the server
        waitMs: i === 0 ? HEAD_ANSWER_MS : undefined,
        control,
      }));
    }
    // pages during the attack
    const served = [];
    const during = (async () => {
      for (let i = 0; i < 10; i++) {
        served.push((await s.request('GET', '/healthz')).status);
        served.push((await citizen.get('/borger')).status);
      }
    })();
    const results = await Promise.all(attackers);
    await during;
    clearInterval(sampler);
    peak = Math.max(peak, rss(s));
    assert.ok(!tooMuch, `the server buffered the anonymous bodies: RSS ${(idle / MB).toFixed(1)} → over ${((idle + 200 * MB) / MB).toFixed(0)} MB`);
    const growth = peak - idle;
    console.log(`# RSS idle ${(idle / MB).toFixed(1)} MB, peak under 50 anonymous 60 MB uploads ${(peak / MB).toFixed(1)} MB`);
    assert.ok(growth < 8 * MB, `RSS grew by ${(growth / MB).toFixed(1)} MB (idle ${(idle / MB).toFixed(1)} MB)`);
    for (const r of results) {
      assert.ok(r.closedByServer, 'the server closed the connection');
      assert.ok(r.sent < SIZE, `the body was not read to its end (${r.sent} bytes sent)`);
      if (r.reply) assert.match(r.reply, /^HTTP\/1\.1 403 /);
    }
    assert.match(results[0].reply || '', /^HTTP\/1\.1 403 /, 'the refusal reaches a client that listens for it');
    assert.deepEqual(served, Array(20).fill(200), 'healthz and the citizen page answered during the attack');
    assert.equal((await s.request('GET', '/healthz')).status, 200);
  });

  it('a caseworker (not an administrator) is refused an upload on the headers too', async () => {
    const cw = await staff(s, 'cw1');
    const r = await streamUpload(s, {
      path: '/admin/pakke/1/video/1/fil',
      headers: { 'Content-Type': 'multipart/form-data; boundary=x', Cookie: `vejled_ansat=${cw.cookies.get('vejled_ansat')}`, Origin: s.origin },
      size: 40 * MB,
      limitMs: 10_000,
      waitMs: HEAD_ANSWER_MS,
    });
    assert.match(r.reply, /^HTTP\/1\.1 403 /);
    assert.equal(r.sent, 0, 'answered before a byte of the body was sent');
  });

  it('an API request without a key is refused before its body; with the key it is read', async () => {
    const bad = await streamUpload(s, {
      path: '/api/v1/enrolments', headers: { 'Content-Type': 'application/json' }, size: 60 * 1024, limitMs: 10_000, waitMs: HEAD_ANSWER_MS,
    });
    assert.equal(bad.sent, 0, 'answered before a byte of the body was sent');
    assert.match(bad.reply, /^HTTP\/1\.1 401 /);
    assert.match(bad.received, /WWW-Authenticate: Bearer/i);
    const good = await s.api('POST', '/api/v1/enrolments', { body: { nonsense: true } });
    assert.equal(good.status, 422, 'authorised: the body is read and judged');
  });
});

describe('the memory budget of request bodies', { skip: SAME_ON_BOTH }, () => {
  let s;
  before(async () => {
    s = await startServer({ config: ini({ server: { body_budget: 8192 } }) });
  });
  after(async () => { if (s) await s.cleanup(); });

  it('beyond [server] body_budget: 503 with Retry-After; fine again once the budget is back', async () => {
    // A holds 6000 bytes of the 8192 while its body trickles in
    const sockA = net.connect(s.port, '127.0.0.1');
    await new Promise((r) => sockA.on('connect', r));
    let replyA = '';
    sockA.on('data', (d) => { replyA += d.toString('latin1'); });
    sockA.write(['POST /api/v1/enrolments HTTP/1.1', `Host: 127.0.0.1:${s.port}`, `Authorization: Bearer ${s.key}`,
      'Content-Type: application/json', 'Content-Length: 6000', '', ''].join('\r\n'));
    sockA.write(' '.repeat(100));
    await sleep(200);
    const b = await s.api('POST', '/api/v1/enrolments', { body: { pad: 'x'.repeat(5000) } });
    assert.equal(b.status, 503, 'B does not fit next to A');
    assert.equal(b.headers['retry-after'], '2');
    assert.equal(b.json.error.code, 'busy');
    const small = await s.api('POST', '/api/v1/enrolments', { body: { pad: 'x'.repeat(500) } });
    assert.equal(small.status, 422, 'a small body still fits');
    // A completes and gives its share back
    sockA.write(' '.repeat(5898) + '{}');
    for (let i = 0; i < 100 && !/\r\n\r\n/.test(replyA); i++) await sleep(20);
    sockA.destroy();
    assert.match(replyA, /^HTTP\/1\.1 422 /);
    const again = await s.api('POST', '/api/v1/enrolments', { body: { pad: 'x'.repeat(5000) } });
    assert.equal(again.status, 422, 'the budget is back: read and judged');
    assert.equal((await s.request('GET', '/healthz')).status, 200);
  });

  it('a chunked body that outgrows the budget while arriving is 503 too', async () => {
    const r = await streamUpload(s, {
      path: '/api/v1/enrolments',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.key}` },
      size: 20_000, chunked: true, limitMs: 5000,
    });
    assert.match(r.reply, /^HTTP\/1\.1 503 /);
    assert.match(r.received, /Retry-After: 2/i);
  });
});

describe('uploads stream to a temporary file that never outlives the request', { skip: SAME_ON_BOTH }, () => {
  let s;
  let admin;
  let mediaDir;
  let draftId;
  let csrf;
  before(async () => {
    s = await startServer({
      config: ini({ staff: { login_attempts_per_minute: 1000, max_upload: 65536 }, content: { media_dir: '{dir}/media' } }),
    });
    mediaDir = path.join(s.dir, 'media');
    admin = await staff(s, 'admin');
    const page = await admin.get('/admin/pakker');
    const r = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(page.text, '/admin/pakker/dagpenge/kladde') });
    assert.equal(r.status, 303);
    draftId = Number(/^\/admin\/pakke\/(\d+)$/.exec(r.headers.location)[1]);
    const video = await admin.get(`/admin/pakke/${draftId}/video/1`);
    csrf = formCsrf(video.text, `/admin/pakke/${draftId}/video/1/fil`);
  });
  after(async () => { if (s) await s.cleanup(); });

  const uploadHeaders = () => ({
    'Content-Type': 'multipart/form-data; boundary=xyz',
    Cookie: `vejled_ansat=${admin.cookies.get('vejled_ansat')}`,
    Origin: s.origin,
  });

  it('an authorised upload over the limit is refused, declared (at once) or chunked; nothing on disk', async () => {
    const before = entries(mediaDir);
    const declared = await streamUpload(s, { path: `/admin/pakke/${draftId}/video/1/fil`, headers: uploadHeaders(), size: 4 * MB, waitMs: HEAD_ANSWER_MS });
    assert.match(declared.reply, /^HTTP\/1\.1 413 /);
    assert.equal(declared.sent, 0, 'refused on its Content-Length');
    const chunked = await streamUpload(s, { path: `/admin/pakke/${draftId}/video/1/fil`, headers: uploadHeaders(), size: 1 * MB, chunked: true });
    assert.match(chunked.reply, /^HTTP\/1\.1 413 /);
    assert.deepEqual(entries(mediaDir), before, 'no file left behind');
  });

  it('an upload in progress is invisible on disk, and an aborted one leaves nothing', async () => {
    const before = entries(mediaDir);
    const sock = net.connect(s.port, '127.0.0.1');
    await new Promise((r) => sock.on('connect', r));
    sock.write([`POST /admin/pakke/${draftId}/video/1/fil HTTP/1.1`, `Host: 127.0.0.1:${s.port}`, 'Content-Length: 60000',
      ...Object.entries(uploadHeaders()).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'));
    sock.write(Buffer.alloc(30000, 0x62));
    await sleep(300);
    assert.deepEqual(entries(mediaDir).filter((n) => !before.includes(n)), [], 'the temporary file has no name');
    sock.destroy();
    await sleep(300);
    assert.deepEqual(entries(mediaDir), before, 'nothing left after the abort');
    assert.equal((await s.request('GET', '/healthz')).status, 200);
  });

  it('a real small file streams to disk and is stored under its hash', async () => {
    const video = Buffer.alloc(5000, 7);
    video.writeUInt32BE(24, 0);
    video.write('ftypisom', 4, 'latin1');
    const boundary = 'xyz';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.mp4"\r\nContent-Type: video/mp4\r\n\r\n`),
      video, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const r = await s.request('POST', `/admin/pakke/${draftId}/video/1/fil`, { headers: uploadHeaders(), body });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const name = `${sha256(video)}.mp4`;
    assert.ok(fs.readFileSync(path.join(mediaDir, name)).equals(video));
    assert.deepEqual(entries(mediaDir).filter((n) => n.startsWith('.')), [], 'no temporary file left');
  });
});

// the slow disk is the test build's SQLite VFS: no such thing under a PostgreSQL client
describe('a slow disk does not stall the pages (test build: syncs take 500 ms)',
  { skip: PG && 'the SQLite file itself (the slow-sync test VFS)' }, () => {
  let s;
  let testBuild = true;
  before(async () => {
    s = await startServer({ start: false, config: ini({ server: { threads: 4 } }) });
    s.env = { VEJLED_TEST_SYNC_DELAY_MS: '500' };
    await s.start();
  });
  after(async () => { if (s) await s.cleanup(); });

  it('citizen pages answer at once while submissions wait for their batch', async (t) => {
    const submitters = [];
    for (let i = 0; i < 3; i++) submitters.push(await readyCitizen(s));
    const t0 = Date.now();
    assert.ok(await submit(submitters[0]));
    if (Date.now() - t0 < 400) {
      testBuild = false;
      t.skip('syncs are not slowed: not the test build (make BUILD=build/asan SAN=1)');
      return;
    }
    const reader = new Browser(s);
    assert.equal((await reader.follow(new URL(s.demoLink).pathname)).status, 200);
    assert.equal((await reader.get('/borger')).status, 200);
    // more submissions in flight (6) than the server has threads (4), all the time
    let stop = false;
    let acknowledged = 0;
    const load = submitters.flatMap((c) => [0, 1].map(async () => {
      while (!stop) if (await submit(c)) acknowledged++;
    }));
    await sleep(1000); // past the first round's start-up
    // Up to 3 windows of 200 pages: on a shared machine another process can spoil one
    // window, while a server whose threads wait for the disk stalls in every window.
    const windows = [];
    for (let w = 0; w < 3 && !(windows.length && windows.at(-1).p99 < 50); w++) {
      const times = [];
      for (let i = 0; i < 200; i++) {
        const start = process.hrtime.bigint();
        const r = await reader.get('/borger');
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        assert.equal(r.status, 200);
      }
      windows.push({ p50: percentile(times, 50), p99: percentile(times, 99) });
    }
    stop = true;
    await Promise.all(load);
    const p99 = windows.at(-1).p99;
    console.log(`# citizen page with 500 ms syncs and 6 submissions in flight on 4 threads: ${windows.map((w) => `p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms`).join('; ')}; ${acknowledged} submissions acknowledged`);
    assert.ok(acknowledged > 0, 'submissions went through meanwhile');
    assert.ok(p99 < 50, `p99 ${p99.toFixed(1)} ms`);
  });

  it('answers committed but not yet on disk are shown to no one; other citizens are not held up', async (t) => {
    if (!testBuild) {
      t.skip('not the test build');
      return;
    }
    const a = await readyCitizen(s);
    const other = await readyCitizen(s);
    const cw = await staff(s, 'cw1');
    const stored = () => Number(sqlite(s.db, `SELECT count(*) FROM journal
      WHERE kind = 'answers_submitted' AND citizen_uuid = '${a.citizen}'`));
    let ackAt = 0;
    const posting = submit(a).then((ok) => { ackAt = Date.now(); return ok; });
    // the writer commits and goes on while the syncer waits 500 ms for the disk: the
    // answers are in the database file (another process sees them) before they are durable
    const t0 = Date.now();
    while (stored() === 0 && Date.now() - t0 < 5000) await sleep(2);
    const seenAt = Date.now();
    assert.equal(stored(), 1, 'the answers were committed');
    assert.equal(ackAt, 0, 'committed before acknowledged: the sync comes after the commit');
    // another citizen's page does not wait for that sync
    const o = Date.now();
    assert.equal((await other.browser.get('/borger')).status, 200);
    assert.ok(Date.now() - o < 300, `another citizen's page took ${Date.now() - o} ms`);
    // the caseworker's page, the case system's journal and the citizen's own second tab
    // show the answers only once they are on disk
    const times = {};
    const timed = (name, p) => p.then((r) => { times[name] = Date.now(); return r; });
    const [page, journal, own] = await Promise.all([
      timed('caseworker', cw.get(`/medarbejder/borger/${a.citizen}`)),
      timed('api', s.api('GET', `/api/v1/citizens/${a.citizen}/journal`)),
      timed('own', a.browser.get('/borger')),
    ]);
    assert.ok(await posting, 'acknowledged');
    assert.equal(page.status, 200);
    assert.equal(journal.status, 200);
    assert.equal(own.status, 200);
    assert.ok(journal.json.entries.some((e) => e.kind === 'answers_submitted'), 'the API shows them');
    for (const [name, at] of Object.entries(times))
      assert.ok(at - seenAt >= 300, `${name} answered ${at - seenAt} ms after the commit, before its sync`);
  });

  it('a staff page does not wait for its "last seen" mark; the mark follows in the background', async (t) => {
    if (!testBuild) {
      t.skip('not the test build');
      return;
    }
    const cw = await staff(s, 'cw1');
    const hash = sha256(cw.cookies.get('vejled_ansat'));
    sqlite(s.db, `UPDATE staff_sessions SET last_seen_at = last_seen_at - 120 WHERE id_hash = '${hash}'`);
    const old = Number(sqlite(s.db, `SELECT last_seen_at FROM staff_sessions WHERE id_hash = '${hash}'`));
    // a page that writes nothing of its own (the list and a citizen's page write their
    // access-log rows, and show the page once those are on disk)
    const start = Date.now();
    const r = await cw.get('/medarbejder/traening');
    const ms = Date.now() - start;
    assert.equal(r.status, 200);
    assert.ok(ms < 300, `the staff page took ${ms} ms with 500 ms syncs`);
    let now = old;
    for (let i = 0; i < 100 && now === old; i++) {
      await sleep(50);
      now = Number(sqlite(s.db, `SELECT last_seen_at FROM staff_sessions WHERE id_hash = '${hash}'`));
    }
    assert.ok(now >= old + 110, `last_seen_at renewed (${old} → ${now})`);
  });
});
