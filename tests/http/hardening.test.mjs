// The smaller security gaps: a state-changing browser request must show where it comes
// from (Origin or Sec-Fetch-Site), cookies are Secure behind a TLS proxy, single sign-on
// can require the proxy's shared secret, /metrics is not open to the world, and SMTP
// insists on STARTTLS unless a plain local relay is allowed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readyCitizen } from './answers.mjs';
import { Browser, ROOT, cli, enrolBody, freshCpr, startServer } from './harness.mjs';
import { loginAs, ini } from './staffkit.mjs';

function cookieOf(res, name) {
  return [].concat(res.headers['set-cookie'] || []).find((c) => c.startsWith(`${name}=`));
}

/** A new enrolment's personal link path (/v/...). */
async function linkPath(s) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
  assert.equal(r.status, 201, r.text);
  return new URL(r.json.link).pathname;
}

/** A POST with the browser's cookies but only the given extra headers (no Origin unless given). */
function rawPost(b, p, fields, headers = {}) {
  const h = { ...b.headers(), 'Content-Type': 'application/x-www-form-urlencoded', ...headers };
  return b.server.request('POST', p, { headers: h, body: new URLSearchParams(fields).toString() });
}

describe('state-changing requests need Origin or Sec-Fetch-Site', () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { if (s) { await s.stop(); await s.cleanup(); } });

  it('a citizen POST without Origin and without Sec-Fetch-Site is refused, nothing changes', async () => {
    const c = await readyCitizen(s);
    const r = await rawPost(c.browser, '/borger/video/1', c.fields);
    assert.equal(r.status, 403);
    const fetchSite = await rawPost(c.browser, '/borger/video/1', c.fields, { 'Sec-Fetch-Site': 'cross-site' });
    assert.equal(fetchSite.status, 403, 'a cross-site fetch is refused');
    const j = await s.api('GET', `/api/v1/citizens/${c.citizen}/journal`);
    assert.equal(j.status, 200);
    assert.ok(!JSON.stringify(j.json).includes('answers_submitted'), 'no answer was stored');
    // the same form from the same origin, by either sign, goes through
    const same = await rawPost(c.browser, '/borger/video/1', c.fields, { 'Sec-Fetch-Site': 'same-origin' });
    assert.equal(same.status, 303);
    const origin = await rawPost(c.browser, '/borger/video/1', c.fields, { Origin: s.origin });
    assert.equal(origin.status, 303);
  });

  it('a staff POST without Origin and without Sec-Fetch-Site is refused', async () => {
    const { browser } = await loginAs(s, 'cw1');
    const page = await browser.get('/medarbejder/borgere');
    assert.equal(page.status, 200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)[1];
    const r = await rawPost(browser, '/medarbejder/logout', { csrf });
    assert.equal(r.status, 403);
    const still = await browser.get('/medarbejder/borgere');
    assert.equal(still.status, 200, 'the session was not ended');
    const ok = await rawPost(browser, '/medarbejder/logout', { csrf }, { 'Sec-Fetch-Site': 'same-origin' });
    assert.equal(ok.status, 303);
  });

  it('API requests with a bearer key need neither (they are not browser requests)', async () => {
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(r.status, 201, r.text);
    const put = await s.api('PUT', `/api/v1/citizens/${r.json.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2030-04-01T09:00:00Z' },
    });
    assert.ok([200, 201, 204].includes(put.status), `${put.status} ${put.text}`);
  });
});

describe('Secure cookies behind a TLS proxy', () => {
  let trusted;
  let other;
  before(async () => {
    trusted = await startServer({ config: ini({ server: { trusted_proxy: '127.0.0.1' } }) });
    other = await startServer({ config: ini({ server: { trusted_proxy: '10.9.9.9' } }) });
  });
  after(async () => {
    for (const x of [trusted, other]) if (x) { await x.stop(); await x.cleanup(); }
  });

  const viaProxy = { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https' };

  it('from the trusted proxy with X-Forwarded-Proto: https, citizen and staff cookies are Secure', async () => {
    const r = await new Browser(trusted).get(await linkPath(trusted), { headers: viaProxy });
    assert.equal(r.status, 303);
    assert.match(cookieOf(r, 'vejled_borger'), /; Secure$/);
    const { res } = await loginAs(trusted, 'cw1', undefined, { headers: viaProxy });
    assert.match(cookieOf(res, 'vejled_ansat'), /; Secure$/);
  });

  it('from any other peer the header is ignored', async () => {
    const r = await new Browser(other).get(await linkPath(other), { headers: viaProxy });
    assert.equal(r.status, 303);
    assert.ok(!/Secure/.test(cookieOf(r, 'vejled_borger')));
    const plain = await new Browser(trusted).get(await linkPath(trusted));
    assert.ok(!/Secure/.test(cookieOf(plain, 'vejled_borger')), 'no header, no Secure');
  });
});

describe('single sign-on with the proxy\'s shared secret', () => {
  const SECRET = 'proxy-secret-0123456789abcdef';
  let s;
  before(async () => {
    s = await startServer({
      config: ini({
        server: { trusted_proxy: '127.0.0.1' },
        staff: { sso_header: 'X-Remote-User', sso_secret_header: 'X-Proxy-Secret', sso_secret: SECRET },
      }),
    });
  });
  after(async () => { if (s) { await s.stop(); await s.cleanup(); } });

  it('the user header counts only with the secret', async () => {
    const fwd = { 'X-Forwarded-For': '203.0.113.8', 'X-Remote-User': 'cw1' };
    const ok = await new Browser(s).get('/medarbejder/borgere', { headers: { ...fwd, 'X-Proxy-Secret': SECRET } });
    assert.equal(ok.status, 200, 'the proxy (with its X-Forwarded-For) and the secret sign in');
    for (const secret of [undefined, 'wrong', `${SECRET}x`, SECRET.slice(0, -1)]) {
      const h = { ...fwd };
      if (secret !== undefined) h['X-Proxy-Secret'] = secret;
      const r = await new Browser(s).get('/medarbejder/borgere', { headers: h });
      assert.equal(r.status, 303, `secret ${secret}`);
      assert.equal(r.headers.location, '/medarbejder/login');
    }
  });

  it('a secret header without a secret value stops serve at start', async () => {
    const bad = await startServer({ start: false, config: ini({ staff: { sso_header: 'X-Remote-User', sso_secret_header: 'X-Proxy-Secret' } }) });
    try {
      await assert.rejects(bad.start(), /sso_secret_header and sso_secret/);
    } finally {
      bad.proc = null;
      await bad.cleanup();
    }
  });
});

describe('GET /metrics', () => {
  let open;
  let tokened;
  before(async () => {
    open = await startServer();
    tokened = await startServer({ config: ini({ metrics: { token: 'metrics-token-abcdef0123456789' } }) });
  });
  after(async () => {
    for (const x of [open, tokened]) if (x) { await x.stop(); await x.cleanup(); }
  });

  it('without a token: a direct loopback client only', async () => {
    const r = await open.request('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.text, /vejled_http_requests_total/);
    for (const h of [{ 'X-Forwarded-For': '203.0.113.9' }, { Forwarded: 'for=203.0.113.9' }]) {
      const f = await open.request('GET', '/metrics', { headers: h });
      assert.equal(f.status, 403, `through a proxy (${Object.keys(h)[0]})`);
      assert.equal(f.json.error.code, 'forbidden');
    }
  });

  it('with [metrics] token: its bearer, nothing else', async () => {
    const none = await tokened.request('GET', '/metrics');
    assert.equal(none.status, 401);
    assert.match(none.headers['www-authenticate'], /^Bearer /);
    const wrong = await tokened.request('GET', '/metrics', { headers: { Authorization: 'Bearer metrics-token-abcdef012345678' } });
    assert.equal(wrong.status, 401);
    const apikey = await tokened.request('GET', '/metrics', { headers: { Authorization: `Bearer ${tokened.key}` } });
    assert.equal(apikey.status, 401, 'an API key is not the metrics token');
    const ok = await tokened.request('GET', '/metrics', { headers: { Authorization: 'Bearer metrics-token-abcdef0123456789' } });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /vejled_answer_submissions_total/);
  });
});

function getFrom(port, p, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('[metrics] listen: /metrics on its own address', () => {
  let s;
  let port;
  before(async () => {
    s = await startServer({ config: '[metrics]\nlisten = 127.0.0.1:0\n' });
    port = Number(/vejled: metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(s.stderr)[1]);
  });
  after(async () => { if (s) { await s.stop(); await s.cleanup(); } });

  it('serves /metrics there and nowhere else', async () => {
    const m = await getFrom(port, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.text, /vejled_answer_submissions_total/);
    // even through a proxy header: the address itself is the protection
    assert.equal((await getFrom(port, '/metrics', { 'X-Forwarded-For': '203.0.113.9' })).status, 200);
    assert.equal((await getFrom(port, '/borger')).status, 404, 'nothing but /metrics on that address');
    assert.equal((await getFrom(port, '/healthz')).status, 404);
    const main = await s.request('GET', '/metrics');
    assert.equal(main.status, 404, 'not on the main listener');
  });

  it('a malformed address stops serve at start', async () => {
    const bad = await startServer({ start: false, config: '[metrics]\nlisten = nowhere\n' });
    try {
      await assert.rejects(bad.start(), /\[metrics\] listen must be HOST:PORT/);
    } finally {
      bad.proc = null;
      await bad.cleanup();
    }
  });
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

describe('SMTP requires STARTTLS', () => {
  let s;
  let sink;
  let mailDir;
  before(async () => {
    const port = await freePort();
    s = await startServer({
      config: `[delivery]\nchannels = outbox,smtp\n[smtp]\nurl = smtp://127.0.0.1:${port}\ntimeout_s = 5\n`,
    });
    mailDir = path.join(s.dir, 'mail');
    sink = spawn('/usr/bin/python3', [path.join(ROOT, 'tests/http/helpers/smtp_sink.py'), String(port), mailDir],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`smtp sink did not start: ${out}`)), 15000);
      sink.stdout.on('data', (d) => { out += d; if (out.includes('ready')) { clearTimeout(timer); resolve(); } });
      sink.stderr.on('data', (d) => { out += d; });
    });
  });
  after(async () => {
    if (sink && sink.exitCode === null) {
      const exited = new Promise((r) => sink.once('exit', r));
      process.kill(sink.pid, 'SIGTERM');
      await exited;
    }
    if (s) { await s.stop(); await s.cleanup(); }
  });

  it('a plain sink without STARTTLS gets no message; the job records why', async () => {
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(r.status, 201, r.text);
    const run = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]);
    assert.equal(run.status, 0, run.stderr);
    const mails = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : [];
    assert.deepEqual(mails, [], 'nothing was sent in plain text');
    const jobs = cli(['jobs', 'list', '--db', s.db]).stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
    const job = jobs.find((j) => j[1] === 'send_written_guidance');
    assert.ok(job, 'the written guidance job');
    assert.equal(job[4], 'pending', 'it will be retried');
    assert.match(job[7], /^smtp: the server offers no STARTTLS and TLS is required/);
  });
});
