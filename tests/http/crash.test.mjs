// Crash safety: under a bounded answer load the server is killed with SIGKILL at random
// moments, several times, and restarted on the same database.  Every submission that got
// its success answer (303) must be in the database, each submission whole or not at all
// (every question of the video has the same number of attempts), the journal must verify
// and SQLite's integrity check must pass.  SOAK_ROUNDS (make soak) sets how many kills.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertStoredWhole, readyCitizen, submit } from './answers.mjs';
import { PG, cli, sleep, sqlite, startServer } from './harness.mjs';

const ROUNDS = Number(process.env.SOAK_ROUNDS || 3);
const CITIZENS = 8;
const MAX_PER_ROUND = 400; // submissions per citizen per round, at most

async function kill(s) {
  s.proc.kill('SIGKILL');
  await s.exited;
  s.proc = null;
}

describe('crash safety', () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { if (s) await s.cleanup(); });

  it(`keeps every acknowledged answer through ${ROUNDS} SIGKILLs`, { timeout: 60_000 + ROUNDS * 15_000 }, async () => {
    const citizens = [];
    for (let i = 0; i < CITIZENS; i++) citizens.push(await readyCitizen(s));
    const acked = new Map(citizens.map((c) => [c.enrolment, 0]));
    let pending = 0;
    let killedDuring = 0; // rounds where submissions were in flight at the kill

    for (let round = 0; round < ROUNDS; round++) {
      let stop = false;
      const loops = citizens.map(async (c) => {
        for (let i = 0; i < MAX_PER_ROUND && !stop; i++) {
          let ok = false;
          pending++;
          try { ok = await submit(c); } catch { return; } finally { pending--; } // died with the server
          if (ok) acked.set(c.enrolment, acked.get(c.enrolment) + 1);
          else return;
        }
      });
      await sleep(50 + Math.floor(Math.random() * 400));
      if (pending > 0) killedDuring++;
      await kill(s);
      stop = true;
      await Promise.all(loops);
      await s.start();
    }
    assert.ok(killedDuring > 0, 'the server was killed with submissions in flight');
    const total = [...acked.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > 0, 'some submissions were acknowledged before the kills');

    for (const c of citizens) assertStoredWhole(s.db, c, acked.get(c.enrolment));
    await s.stop();
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, `verify: ${v.stdout}${v.stderr}`);
    // the SQLite file's own consistency (on PostgreSQL the killed process is only a client)
    if (!PG) assert.equal(sqlite(s.db, 'PRAGMA integrity_check;').trim(), 'ok');
  });
});
