// Graceful shutdown: on SIGTERM the server stops accepting connections, lets a request
// that is still arriving finish (its answer is stored and acknowledged), then exits 0.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { readyCitizen } from './answers.mjs';
import { sleep, sqlite, startServer } from './harness.mjs';

describe('graceful shutdown', () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { if (s) await s.cleanup(); });

  it('SIGTERM finishes the request in flight, refuses new connections and exits 0', { timeout: 30_000 }, async () => {
    const c = await readyCitizen(s);
    const body = new URLSearchParams(c.fields).toString();
    const cookie = [...c.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const head = `POST /borger/video/1 HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nCookie: ${cookie}\r\n` +
      `Origin: ${s.origin}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    const sock = net.connect(s.port, '127.0.0.1');
    let got = '';
    sock.setEncoding('latin1');
    sock.on('data', (d) => { got += d; });
    const closed = new Promise((r) => sock.on('close', r));
    await new Promise((r) => sock.on('connect', r));
    sock.write(head + body.slice(0, 10)); // the request is in flight: half of its body sent
    await sleep(200);

    s.proc.kill('SIGTERM');
    await sleep(500);
    assert.equal(s.exit, null, 'the server waits for the request in flight');
    // no new connections once stopping
    const refused = await new Promise((resolve) => {
      const n = net.connect(s.port, '127.0.0.1');
      n.on('connect', () => { n.destroy(); resolve(false); });
      n.on('error', () => resolve(true));
    });
    assert.ok(refused, 'a new connection is refused while stopping');

    sock.write(body.slice(10));
    await closed;
    assert.match(got, /^HTTP\/1\.1 303 /, `the request in flight was answered:\n${got.slice(0, 300)}`);
    await s.stop(); // asserts exit 0 and "vejled: stopped"
    const stored = sqlite(s.db, `SELECT count(*) FROM journal WHERE kind = 'answers_submitted'
      AND enrolment_uuid = '${c.enrolment}';`).trim();
    assert.equal(stored, '1', 'the acknowledged answer is stored');
  });
});
