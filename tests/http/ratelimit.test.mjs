// Guessing links: after token_misses_per_minute (default 30) unknown links from one address
// within a minute, /v/... answers 429.  Its own server, so that the block hurts no other test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Browser, enrolBody, freshCpr, sleep, startServer } from './harness.mjs';

let s;

describe('rate limit on link guessing', () => {
  before(async () => {
    s = await startServer({ demo: true });
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('30 misses are 404, the 31st within the minute is 429, then even a real link is', async () => {
    const cpr = freshCpr();
    const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr) });
    assert.equal(r.status, 201, r.text);
    const link = new URL(r.json.link).pathname;
    // a citizen who is already in keeps going while the address is blocked
    const citizen = new Browser(s);
    assert.equal((await citizen.get(link)).status, 303);

    // the limit counts per clock minute: start early in one, so that all of it falls inside
    const sec = new Date().getUTCSeconds();
    if (sec >= 50) await sleep((61 - sec) * 1000);
    const minute = Math.floor(Date.now() / 60000);

    const anon = new Browser(s);
    let notFoundPage;
    for (let i = 0; i < 30; i++) {
      const token = i % 3 === 2 ? `junk${i}` : `${'B'.repeat(20)}${String(i).padStart(4, '0')}`;
      const m = await anon.get(`/v/${token}`);
      assert.equal(m.status, 404, `miss ${i + 1}`);
      if (notFoundPage === undefined) notFoundPage = m.text;
      assert.equal(m.text, notFoundPage, 'every miss gets the same page');
    }
    const blocked = await anon.get(`/v/${'C'.repeat(24)}`);
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(blocked.headers['retry-after'] || '', /^\d+$/);
    assert.ok(Number(blocked.headers['retry-after']) > 0 && Number(blocked.headers['retry-after']) <= 60);
    assert.equal(blocked.headers['set-cookie'], undefined);
    // a real link from the same address is blocked too: a guess that hits learns nothing
    const real = await anon.get(link);
    assert.equal(real.status, 429);
    assert.equal(real.headers['set-cookie'], undefined);
    assert.equal(real.text, blocked.text, 'the same page for a hit and a miss');
    assert.equal(Math.floor(Date.now() / 60000), minute, 'the test ran within one clock minute');

    // the rest of the service is not blocked
    assert.equal((await citizen.get('/borger')).status, 200);
    assert.equal((await s.request('GET', '/healthz')).status, 200);
    const e = await s.api('GET', `/api/v1/enrolments/${r.json.enrolment_id}`);
    assert.equal(e.status, 200);
    assert.equal(e.json.status, 'opened');
    // and the blocked attempts opened nothing
    const j = await s.api('GET', `/api/v1/citizens/${r.json.citizen_id}/journal`);
    assert.deepEqual(j.json.entries.map((x) => x.kind), ['enrolled', 'link_opened']);
  });

  it('stops cleanly on SIGTERM (exit 0, "vejled: stopped", no sanitizer report)', async () => {
    await s.stop();
  });
});
