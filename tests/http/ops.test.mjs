// Operations files: the example configuration in scripts/ is accepted as it stands (with
// the database and listen address overridden by flags, as on a test machine), and the
// systemd unit points at commands that exist.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { ROOT, cli, freshCpr, startServer } from './harness.mjs';

describe('operations files', () => {
  let s;
  after(async () => { if (s) await s.cleanup(); });

  it('scripts/vejled.ini.example starts a server', async () => {
    const example = fs.readFileSync(path.join(ROOT, 'scripts', 'vejled.ini.example'), 'utf8');
    s = await startServer({ config: example });
    const r = await s.request('GET', '/healthz');
    assert.equal(r.status, 200);
    // a typo in a key is refused, so the example is really checked key by key
    const bad = path.join(s.dir, 'bad.ini');
    fs.writeFileSync(bad, example.replace('batch_max', 'batch_maxx'));
    const b = cli(['migrate', '--config', bad, '--db', path.join(s.dir, 'other.db')]);
    assert.notEqual(b.status, 0);
    assert.match(b.stderr, /batch_maxx/);
    await s.stop();
  });

  it('GET /metrics counts requests by route and status, with latency histograms', async () => {
    const m = await startServer();
    try {
      const token = 'Q'.repeat(24);
      for (let i = 0; i < 3; i++) assert.equal((await m.request('GET', '/healthz')).status, 200);
      assert.equal((await m.request('GET', `/v/${token}`)).status, 404);
      assert.equal((await m.request('GET', '/no/such/page')).status, 404);
      // a method it does not know may be any token, even a CPR number: the log says "other"
      const odd = freshCpr();
      assert.equal((await m.raw(`X${odd} /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).status, 405);
      // a request is counted when libmicrohttpd reports it completed, which may be just
      // after the client has its answer: ask again (bounded) until all five are in
      let r;
      for (let i = 0; i < 50; i++) {
        r = await m.request('GET', '/metrics');
        if (/route="\/v\/\{token\}",status="404"\} 1$/m.test(r.text) && /route="\(none\)",status="404"\} 1$/m.test(r.text)) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
      const t = r.text;
      assert.match(t, /^vejled_http_requests_total\{route="\/healthz",status="200"\} 3$/m);
      assert.match(t, /^vejled_http_requests_total\{route="\/v\/\{token\}",status="404"\} 1$/m);
      assert.match(t, /^vejled_http_requests_total\{route="\(none\)",status="404"\} 1$/m);
      assert.match(t, /^vejled_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} 3$/m);
      assert.match(t, /^vejled_http_request_duration_seconds_count\{route="\/healthz"\} 3$/m);
      assert.match(t, /^vejled_answer_submissions_total \d+$/m);
      assert.ok(!t.includes(token) && !t.includes('/no/such'), 'labels are patterns, never paths');
      // one structured line per request: time, method, route pattern, status, duration
      await m.stop();
      const lines = m.stderr.split('\n').filter((l) => / http /.test(l));
      assert.equal(lines.filter((l) => !l.includes('route=/metrics ')).length, 6, lines.join('\n'));
      assert.ok(lines.some((l) => l.includes(' http method=other route=(method) status=405 ')), lines.join('\n'));
      assert.ok(!m.stderr.includes(odd), 'an unknown method is not written to the log');
      assert.ok(lines.some((l) => l.includes('route=/metrics ')), lines.join('\n'));
      for (const l of lines) {
        assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ http method=(?:[A-Z]+|other) route=\S+ status=\d{3} duration_ms=\d+\.\d$/, l);
        assert.ok(!l.includes(token), 'no token in the log');
      }
    } finally {
      await m.cleanup();
    }
  });

  it('the systemd unit runs vejled serve and migrate with the example config path', () => {
    const unit = fs.readFileSync(path.join(ROOT, 'scripts', 'vejled.service'), 'utf8');
    assert.match(unit, /^ExecStart=\S+\/vejled serve --config \/etc\/vejled\/vejled\.ini$/m);
    assert.match(unit, /^ExecStartPre=\S+\/vejled migrate /m);
    assert.match(unit, /^KillSignal=SIGTERM$/m);
    for (const cmd of ['serve', 'migrate']) {
      const h = cli([cmd, '--help']);
      assert.equal(h.status, 0, `vejled ${cmd} --help`);
    }
  });
});
