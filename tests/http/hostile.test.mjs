// Hostile HTTP: slow clients, oversized requests, request smuggling shapes, path traversal,
// link guessing and SQL injection.  Every case names the protection it proves; each would
// fail if that protection were removed.  All traffic is to 127.0.0.1 (the "normal" client
// uses the source address 127.0.0.2, a different address on the same loopback), and every
// tool run and loop is bounded.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readyCitizen } from './answers.mjs';
import { SAME_ON_BOTH, cli, enrolBody, freshCpr, sleep, startServer, tableCounts } from './harness.mjs';

/** GET from another loopback address; resolves {status, ms} (status 0 on error). */
function probe(port, p) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const req = http.get({ host: '127.0.0.1', port, path: p, localAddress: '127.0.0.2', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - t0 }));
    });
    req.setTimeout(3000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, ms: Date.now() - t0 }));
  });
}

/** Runs a command with a hard time limit; resolves {code, out}. */
function run(cmd, args, limitMs) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), limitMs);
    p.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out }); });
  });
}

describe('slow clients (slowhttptest)', { skip: SAME_ON_BOTH }, () => {
  // 300 slow connections from one address against a server that takes 200 in all and 50
  // per address: without the per-address limit the attacker holds every slot.
  let s;
  before(async () => {
    s = await startServer({
      config: '[server]\nmax_connections = 200\nmax_connections_per_ip = 50\nlog_requests = 0\n',
    });
  });
  after(async () => { if (s) await s.cleanup(); });

  for (const [mode, flag, url] of [['slow headers', '-H', '/'], ['slow body', '-B', '/borger/video/1']]) {
    it(`${mode}: a normal client is still served`, { timeout: 30_000 }, async () => {
      const attack = run('slowhttptest', [flag, '-c', '300', '-r', '150', '-i', '3', '-s', '8192',
        '-l', '8', '-p', '2', '-u', `http://127.0.0.1:${s.port}${url}`], 20_000);
      await sleep(3000); // the attack has opened its connections
      const results = [];
      for (let i = 0; i < 10; i++) {
        results.push(await probe(s.port, '/healthz'));
        await sleep(300);
      }
      const done = await attack;
      assert.match(done.out, /number of connections:\S*\s+\S*300/, `slowhttptest ran:\n${done.out}`);
      assert.match(done.out, /connected:\s*\S*\s+\S*[1-9]\d*/, 'the attack held connections');
      for (const r of results) assert.equal(r.status, 200, `normal client during ${mode}: ${JSON.stringify(results)}`);
    });
  }
});

describe('hostile requests', () => {
  let s;
  const secret = `SECRET-${process.pid}-${Date.now()}`;
  before(async () => {
    // the static and media folders of this server sit beside a file that must stay private
    s = await startServer({ start: false });
    for (const d of ['static', 'media']) {
      fs.mkdirSync(path.join(s.dir, d, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(s.dir, d, 'ok.css'), 'body{}');
      fs.writeFileSync(path.join(s.dir, d, 'sub', 'ok.json'), '{}');
    }
    fs.writeFileSync(path.join(s.dir, 'secret.json'), `{"x":"${secret}"}`);
    fs.writeFileSync(path.join(s.dir, 'secret.txt'), secret);
    fs.writeFileSync(s.configFile, `${s.placesIni}[server]\nlog_requests = 0\n[citizen]\ntoken_misses_per_minute = 5\n` +
      `[content]\nstatic_dir = ${path.join(s.dir, 'static')}\nmedia_dir = ${path.join(s.dir, 'media')}\n` +
      `[delivery]\nscheduler = 0\n`);
    await s.start();
  });
  after(async () => { if (s) await s.cleanup(); });

  const get = (p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

  it('path traversal in /static and /media never reaches a file outside the folder', async () => {
    // the folders work: the same request shape reaches a real file inside
    for (const base of ['/static', '/media']) {
      assert.equal((await s.raw(get(`${base}/ok.css`))).status, 200);
      assert.equal((await s.raw(get(`${base}/sub/ok.json`))).status, 200);
    }
    const tails = [
      '../secret.json', '%2e%2e/secret.json', '%2E%2E%2Fsecret.json', '..%2fsecret.json',
      '.%2e/secret.json', '%2e./secret.txt', 'sub/../../secret.json', 'sub/%2e%2e/%2e%2e/secret.json',
      './../secret.json', '..\\secret.json', '..%5csecret.json', 'sub\\..\\..\\secret.json',
      '%c0%ae%c0%ae/secret.json', '%252e%252e/secret.json', '..%00/secret.json',
      'ok.css%00/../../secret.json', '%00../secret.json', '....//secret.json', '../../../../../etc/passwd',
      `${path.join(s.dir, 'secret.json')}`, `/${path.join(s.dir, 'secret.json')}`,
    ];
    for (const base of ['/static', '/media']) {
      for (const t of tails) {
        const r = await s.raw(get(`${base}/${t}`));
        assert.ok(!r.raw.includes(secret), `${base}/${t} leaked the file:\n${r.raw}`);
        assert.ok(!/root:x:0:0/.test(r.raw), `${base}/${t} leaked /etc/passwd`);
        assert.ok(r.status === 400 || r.status === 404 || (r.status === 200 && r.body === 'body{}'),
          `${base}/${t}: ${r.status}`);
      }
    }
  });

  it('headers up to about half of connection_memory are served, larger ones refused', async () => {
    // the default 16 KiB: a 6 KiB cookie (a proxy's or a portal's) fits, 12 KiB does not
    let r = await s.raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: big=${'c'.repeat(6 * 1024)}\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 200, '6 KiB of headers');
    r = await s.raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: big=${'c'.repeat(12 * 1024)}\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 413, 431].includes(r.status) || r.status === 0, `12 KiB of headers: ${r.status}`);
    assert.equal((await s.request('GET', '/healthz')).status, 200, 'still serving');
  });

  it('oversized headers and bodies are refused and change nothing', async () => {
    const before = tableCounts(s.db);
    const auth = `Authorization: Bearer ${s.key}\r\nContent-Type: application/json\r\n`;
    // one 64 KiB header: more than the connection's memory (connection_memory, 16 KiB)
    let r = await s.raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(65536)}\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 413, 431].includes(r.status) || r.status === 0, `big header: ${r.status}`);
    assert.notEqual(r.status, 200);
    // many headers adding up
    const many = Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${'b'.repeat(20)}\r\n`).join('');
    r = await s.raw(`GET /healthz HTTP/1.1\r\nHost: x\r\n${many}Connection: close\r\n\r\n`);
    assert.notEqual(r.status, 200, 'many headers');
    // a declared body over the route's limit: 413 before a byte of it is read
    r = await s.raw(`POST /api/v1/enrolments HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 104857600\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 413);
    // a chunked body that grows past the limit
    const chunk = 'x'.repeat(16384);
    const chunks = Array.from({ length: 8 }, () => `4000\r\n${chunk}\r\n`).join('');
    r = await s.raw(`POST /api/v1/enrolments HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks}0\r\n\r\n`);
    assert.equal(r.status, 413);
    // a form body over max_body_form
    r = await s.raw(`POST /borger/video/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${64 * 1024}\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 413);
    assert.deepEqual(tableCounts(s.db), before, 'nothing was written');
    assert.equal((await s.request('GET', '/healthz')).status, 200, 'still serving');
  });

  it('request smuggling shapes are 400 and write nothing', async () => {
    const before = tableCounts(s.db);
    const json = JSON.stringify(enrolBody(freshCpr()));
    const len = Buffer.byteLength(json);
    const start = `POST /api/v1/enrolments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.key}\r\nContent-Type: application/json\r\nConnection: close\r\n`;
    const shapes = {
      'two Content-Length': `${start}Content-Length: ${len}\r\nContent-Length: ${len + 5}\r\n\r\n${json}`,
      'CL + TE': `${start}Content-Length: ${len}\r\nTransfer-Encoding: chunked\r\n\r\n${len.toString(16)}\r\n${json}\r\n0\r\n\r\n`,
      'TE + CL': `${start}Transfer-Encoding: chunked\r\nContent-Length: ${len}\r\n\r\n${len.toString(16)}\r\n${json}\r\n0\r\n\r\n`,
      'TE not chunked': `${start}Transfer-Encoding: gzip\r\n\r\n${json}`,
      'TE chunked twice': `${start}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${len.toString(16)}\r\n${json}\r\n0\r\n\r\n`,
      'TE list': `${start}Transfer-Encoding: gzip, chunked\r\n\r\n${len.toString(16)}\r\n${json}\r\n0\r\n\r\n`,
    };
    for (const [name, raw] of Object.entries(shapes)) {
      const r = await s.raw(raw);
      assert.equal(r.status, 400, `${name}: ${r.raw.slice(0, 200)}`);
    }
    assert.deepEqual(tableCounts(s.db), before, 'no enrolment was created');
    // the same request, framed once, is accepted: the 400s above are about framing only
    const ok = await s.raw(`${start}Content-Length: ${len}\r\n\r\n${json}`);
    assert.equal(ok.status, 201, ok.raw.slice(0, 300));
  });

  it('guessing links: after token_misses_per_minute misses the address gets 429', async () => {
    const sec = new Date().getUTCSeconds();
    if (sec >= 55) await sleep((61 - sec) * 1000);
    for (let i = 0; i < 5; i++) {
      const r = await s.request('GET', `/v/${'G'.repeat(20)}${String(i).padStart(4, '0')}`);
      assert.equal(r.status, 404, `miss ${i + 1}`);
    }
    for (let i = 5; i < 8; i++) {
      const r = await s.request('GET', `/v/${'G'.repeat(20)}${String(i).padStart(4, '0')}`);
      assert.equal(r.status, 429, `miss ${i + 1} is over the limit`);
    }
    // no trusted_proxy configured: a forged X-Forwarded-For does not get around the limit
    const forged = await s.request('GET', `/v/${'G'.repeat(24)}`, { headers: { 'X-Forwarded-For': '10.9.9.9' } });
    assert.equal(forged.status, 429, 'X-Forwarded-For is ignored from an untrusted peer');
  });
});

describe('link guessing behind a reverse proxy', () => {
  // with trusted_proxy, the limit counts per citizen address (X-Forwarded-For), so that one
  // guesser behind Apache does not lock every citizen out
  let s;
  before(async () => {
    s = await startServer({ config: '[server]\nlog_requests = 0\ntrusted_proxy = 127.0.0.1\n[citizen]\ntoken_misses_per_minute = 3\n' });
  });
  after(async () => { if (s) await s.cleanup(); });

  it('counts misses per forwarded client address', async () => {
    const sec = new Date().getUTCSeconds();
    if (sec >= 55) await sleep((61 - sec) * 1000);
    const miss = (i, from) => s.request('GET', `/v/${'P'.repeat(20)}${String(i).padStart(4, '0')}`,
      { headers: { 'X-Forwarded-For': from } });
    for (let i = 0; i < 3; i++) assert.equal((await miss(i, '203.0.113.7, 10.0.0.1')).status, 404);
    assert.equal((await miss(3, '203.0.113.7, 10.0.0.1')).status, 429, 'the guesser is blocked');
    assert.equal((await miss(4, '10.0.0.2')).status, 404, 'another citizen is not');
    // the client's own (first) entries do not count: the proxy's last entry does
    assert.equal((await miss(5, '10.0.0.3, 10.0.0.1')).status, 429);
    assert.equal((await miss(6, 'not-an-address')).status, 404, 'malformed: the peer address (127.0.0.1) counts');
  });
});

describe('SQL injection (sqlmap)', () => {
  let s;
  let tmp;
  before(async () => {
    s = await startServer({ config: '[server]\nlog_requests = 0\n[citizen]\ntoken_misses_per_minute = 100000\n' });
    tmp = fs.mkdtempSync(path.join(s.dir, 'sqlmap-'));
  });
  after(async () => { if (s) await s.cleanup(); });

  /** sqlmap, bounded: batch mode, level 1 / risk 1, no time-based tests, a hard limit. */
  async function sqlmap(args) {
    const r = await run('sqlmap', ['--batch', '--level=1', '--risk=1', '--technique=BEU', '--timeout=5',
      '--retries=0', '--threads=2', '--flush-session', '--disable-coloring', `--output-dir=${tmp}`,
      '--skip-waf', ...args], 90_000);
    assert.equal(r.signal, null, `sqlmap hit its time limit:\n${r.out.slice(-2000)}`);
    assert.match(r.out, /testing '/, `sqlmap tested something:\n${r.out.slice(-2000)}`);
    assert.ok(!/identified the following injection point|parameter '[^']*' (is|appears to be) '[^']*' injectable/i.test(r.out),
      `sqlmap found an injection:\n${r.out}`);
    return r.out;
  }

  it('finds nothing in the enrolment API (JSON body and URL)', { timeout: 200_000 }, async () => {
    const body = JSON.stringify(enrolBody(freshCpr()));
    const hdr = `Authorization: Bearer ${s.key}\nContent-Type: application/json`;
    await sqlmap(['-u', `http://127.0.0.1:${s.port}/api/v1/enrolments`, `--data=${body}`, `--headers=${hdr}`]);
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    await sqlmap(['-u', `http://127.0.0.1:${s.port}/api/v1/enrolments/${r.json.enrolment_id}*`,
      `--headers=Authorization: Bearer ${s.key}`]);
  });

  it('finds nothing in the citizen link and answer form', { timeout: 200_000 }, async () => {
    const c = await readyCitizen(s);
    const cookie = [...c.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    await sqlmap(['-u', `http://127.0.0.1:${s.port}/borger/video/1`,
      `--data=${new URLSearchParams(c.fields).toString()}`, `--cookie=${cookie}`, '-p', c.fields.map(([k]) => k).filter((k) => k !== 'csrf').join(',')]);
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    await sqlmap(['-u', `${e.json.link}*`]);
  });

  it('left the database intact', async () => {
    await s.stop();
    const v = cli(['verify', '--db', s.db]); // with the database's key files on PostgreSQL too
    assert.equal(v.status, 0, v.stderr);
  });
});
