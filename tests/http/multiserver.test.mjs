// Several servers on one PostgreSQL database (only when the suite runs on PostgreSQL):
// two `vejled serve`, each with its scheduler, citizens answering through both at once,
// a citizen's session made on one server used on the other, one server killed with
// SIGKILL under that load.  Then every acknowledged answer is stored (each submission
// whole), every written-guidance letter went out exactly once, the journal is one chain
// that verifies, and the statistics aggregates equal a full recount.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { assertStoredWhole, readyCitizen, submit } from './answers.mjs';
import { Browser, PG, cli, enrolBody, freshCpr, sleep, sqlite, startPeer, startServer } from './harness.mjs';

const CITIZENS = 8;
const MAX_SUBMISSIONS = 300; // per citizen, at most
const LETTERS = 40;

describe('two servers on one PostgreSQL database', { skip: !PG && 'runs on PostgreSQL only' }, () => {
  let a;
  let b;
  const config = '[delivery]\nscheduler = 1\njob_lease_s = 5\n[citizen]\ntoken_misses_per_minute = 6\n';

  before(async () => {
    a = await startServer({ config });
    b = await startPeer(a);
  });
  after(async () => {
    if (b) {
      if (b.proc && !b.exit) b.proc.kill('SIGKILL');
      fs.rmSync(b.dir, { recursive: true, force: true });
    }
    if (a) await a.cleanup();
  });

  it('a session made on one server works on the other', async () => {
    const r = await a.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
    assert.equal(r.status, 201, r.text);
    const onA = new Browser(a);
    assert.equal((await onA.follow(new URL(r.json.link).pathname)).status, 200);
    const onB = new Browser(b);
    onB.cookies = onA.cookies;
    const page = await onB.get('/borger/video/1');
    assert.equal(page.status, 200, 'the session from server A opens the video on server B');
  });

  it('answers through both servers, one killed with SIGKILL: every acknowledged answer kept, letters once, journal and statistics intact',
    { timeout: 240_000 }, async () => {
      // due letters for both schedulers to share
      for (let i = 0; i < LETTERS; i++) {
        const r = await (i % 2 ? b : a).api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
        assert.equal(r.status, 201, r.text);
      }
      const citizens = [];
      for (let i = 0; i < CITIZENS; i++) {
        const c = await readyCitizen(i % 2 ? b : a);
        // half of them continue on the other server with the same session
        if (i % 4 === 0) {
          const other = new Browser(i % 2 ? a : b);
          other.cookies = c.browser.cookies;
          c.browser = other;
        }
        citizens.push(c);
      }
      const acked = new Map(citizens.map((c) => [c.enrolment, 0]));
      let stop = false;
      const loops = citizens.map(async (c) => {
        for (let i = 0; i < MAX_SUBMISSIONS && !stop; i++) {
          let ok = false;
          try { ok = await submit(c); } catch { return; } // its server died
          if (ok) acked.set(c.enrolment, acked.get(c.enrolment) + 1);
          else return;
        }
      });
      await sleep(1500);
      b.proc.kill('SIGKILL'); // under load, with answers and letters in flight
      await b.exited;
      b.proc = null;
      stop = true;
      await Promise.all(loops);
      // the survivor finishes the letters (the killed server's leases lapse)
      const deadline = Date.now() + 120_000;
      for (;;) {
        const left = Number(sqlite(a.db, "SELECT count(*) FROM jobs WHERE kind = 'send_written_guidance' AND state <> 'done';").trim());
        if (left === 0) break;
        assert.ok(Date.now() < deadline, `${left} letters still not sent`);
        await sleep(500);
      }

      const total = [...acked.values()].reduce((x, y) => x + y, 0);
      assert.ok(total > 0, 'answers were acknowledged');
      for (const c of citizens) assertStoredWhole(a.db, c, acked.get(c.enrolment));
      // every letter exactly once: one sent delivery per job and channel, one journal entry per job
      const twice = sqlite(a.db, `SELECT job_id, channel, count(*) FROM deliveries WHERE state = 'sent'
        GROUP BY job_id, channel HAVING count(*) > 1;`).trim();
      assert.equal(twice, '', 'no letter delivered twice');
      const sent = Number(sqlite(a.db, "SELECT count(*) FROM journal WHERE kind = 'written_guidance_sent';").trim());
      const jobs = Number(sqlite(a.db, "SELECT count(*) FROM jobs WHERE kind = 'send_written_guidance';").trim());
      assert.equal(sent, jobs, 'one journal entry per letter');
      const files = fs.readdirSync(path.join(a.dir, 'outbox')).filter((f) => f.endsWith('.eml') || f.endsWith('.json') || f.endsWith('.pdf'));
      assert.ok(files.length > 0, 'letters are in the shared outbox');

      await a.stop();
      const v = cli(['verify', '--db', a.db]);
      assert.equal(v.status, 0, `verify: ${v.stdout}${v.stderr}`);
      const st = cli(['stats', '--db', a.db, '--verify']);
      assert.equal(st.status, 0, `stats --verify: ${st.stdout}${st.stderr}`);
    });
  it('the link guess limit is one limit for both servers (last: it blocks this address for a minute)', async () => {
    await a.start();
    await b.start();
    // 3 guesses on A and 3 on B reach the limit of 6 for the address on both
    for (const srv of [a, a, a, b, b, b]) {
      const g = await srv.request('GET', '/v/AAAAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(g.status, 404);
    }
    for (const srv of [a, b]) {
      const g = await srv.request('GET', '/v/AAAAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(g.status, 429, 'the guesses made on the other server count too');
    }
    await b.stop();
  });
});
