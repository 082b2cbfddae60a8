// Power loss: under answer load the test build's VFS (server/store/sqlite/store_testvfs.h) cuts the
// power at a seeded random file event: every write that was not synced is undone on disk
// and the server SIGKILLs itself.  The database is then reopened with the production
// binary: every submission that got its 303 must be there whole, `vejled verify` and
// SQLite's integrity check must pass.  The same load with PRAGMA synchronous=OFF must
// lose acknowledged answers, which proves that the test sees a database that does not
// sync.  POWERLOSS_ROUNDS (make soak: SOAK_ROUNDS) sets the number of cuts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { readyCitizen, submit } from './answers.mjs';
import { BIN, PG, PROD_BIN, isTestBuild, sqlite, startServer } from './harness.mjs';

const ROUNDS = Number(process.env.POWERLOSS_ROUNDS || 4);
const CITIZENS = 6;
const MAX_PER_ROUND = 2000; // submissions per citizen per round, at most (the cut comes first)
const SPAN = 1500; // the cut comes after 1..SPAN file events
const TEST_BUILD = isTestBuild(BIN);
const SKIP = !TEST_BUILD && `${BIN} is not the test build (make BUILD=build/asan SAN=1)`;

/** The test's own seeds: from POWERLOSS_SEED when given (to repeat a run), else random. */
const baseSeed = Number(process.env.POWERLOSS_SEED || Math.floor(Math.random() * 2 ** 31));

/** Stored submissions per citizen: [{rows: [[question, count, max attempt]], journalled}]. */
function stored(db, c) {
  const rows = sqlite(db, `SELECT a.question_id, count(*), max(a.attempt)
    FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
    WHERE e.uuid = '${c.enrolment}' GROUP BY a.question_id;`).split('\n').filter(Boolean)
    .map((l) => l.split('|').map(Number));
  const journalled = Number(sqlite(db, `SELECT count(*) FROM journal
    WHERE kind = 'answers_submitted' AND enrolment_uuid = '${c.enrolment}';`).trim());
  return { rows, journalled };
}

/** `vejled ARGS` with the production binary. */
function prod(args) {
  const r = spawnSync(PROD_BIN, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

/**
 * One round: starts the server with the power cut armed (env), lets the citizens submit
 * until it dies, and returns {acked (Map enrolment -> submissions acknowledged this round),
 * cut (stderr said so)}.
 */
async function loadUntilCut(s, citizens, env) {
  s.env = env;
  const acked = new Map(citizens.map((c) => [c.enrolment, 0]));
  await s.start();
  let dead = false;
  s.exited.then(() => { dead = true; });
  const loops = citizens.map(async (c) => {
    for (let i = 0; i < MAX_PER_ROUND && !dead; i++) {
      let ok = false;
      try { ok = await submit(c); } catch { return; } // the power is gone
      if (!ok) return;
      acked.set(c.enrolment, acked.get(c.enrolment) + 1);
    }
  });
  await Promise.all(loops);
  let timer;
  const exit = await Promise.race([s.exited,
    new Promise((r) => { timer = setTimeout(() => r(null), 20_000); })]);
  clearTimeout(timer);
  if (!exit) {
    s.proc.kill('SIGKILL');
    await s.exited;
  }
  s.proc = null;
  s.env = {};
  assert.ok(exit, `the power cut came within the load:\n${s.stderr.slice(-2000)}`);
  assert.equal(exit.signal, 'SIGKILL', `the server stopped itself with SIGKILL: ${JSON.stringify(exit)}`);
  return { acked, cut: /test power cut after \d+ file events/.test(s.stderr) };
}

describe('power loss', { skip: (PG && 'the SQLite file itself (the power-cut VFS)') || SKIP }, () => {
  let s;
  let citizens;
  before(async () => {
    assert.ok(fs.existsSync(PROD_BIN), `the production binary ${PROD_BIN} is built`);
    s = await startServer();
    citizens = [];
    for (let i = 0; i < CITIZENS; i++) citizens.push(await readyCitizen(s));
    await s.stop();
  });
  after(async () => { if (s) await s.cleanup(); });

  it(`keeps every acknowledged answer through ${ROUNDS} power cuts (seed ${baseSeed})`,
    { timeout: 60_000 + ROUNDS * 30_000 }, async (t) => {
      const total = new Map(citizens.map((c) => [c.enrolment, 0]));
      let ackedAll = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const seed = baseSeed + round;
        const { acked, cut } = await loadUntilCut(s, citizens, {
          VEJLED_TEST_POWERLOSS_SEED: String(seed),
          VEJLED_TEST_POWERLOSS_SPAN: String(SPAN),
        });
        assert.ok(cut, 'the VFS cut the power');
        for (const [k, n] of acked) total.set(k, total.get(k) + n);
        ackedAll += [...acked.values()].reduce((a, b) => a + b, 0);

        // reopened by the production binary (SQLite recovers the WAL on open)
        const v = prod(['verify', '--db', s.db]);
        assert.equal(v.status, 0, `round ${round} (seed ${seed}) verify: ${v.stdout}${v.stderr}`);
        assert.equal(sqlite(s.db, 'PRAGMA integrity_check;').trim(), 'ok', `round ${round} (seed ${seed})`);
        for (const c of citizens) {
          const { rows, journalled } = stored(s.db, c);
          const want = total.get(c.enrolment);
          const counts = new Set(rows.map((r) => r[1]));
          assert.ok(counts.size <= 1, `round ${round} (seed ${seed}): each submission whole: ${JSON.stringify(rows)}`);
          if (want > 0) assert.equal(rows.length, c.questions, 'every question has answers');
          const have = rows.length ? rows[0][1] : 0;
          for (const [, n, max] of rows) assert.equal(n, max, 'attempts are 1..n without gaps');
          assert.ok(have >= want, `round ${round} (seed ${seed}): stored ${have} submissions, ${want} were acknowledged`);
          assert.equal(journalled, have, 'one journal entry per stored submission');
          total.set(c.enrolment, have); // what is stored is the base for the next round
        }
      }
      t.diagnostic(`${ROUNDS} power cuts survived, ${ackedAll} acknowledged submissions kept`);
      assert.ok(ackedAll > 0, 'some submissions were acknowledged before the cuts');
      // the server still starts and stops cleanly on what the cuts left
      await s.start();
      await s.stop();
    });

  it('notices lost answers when the database does not sync (synchronous=OFF)', { timeout: 120_000 }, async (t) => {
    let lost = 0;
    let ackedAll = 0;
    const before = new Map();
    for (const c of citizens) before.set(c.enrolment, stored(s.db, c).rows[0]?.[1] ?? 0);
    for (let round = 0; round < 3 && lost === 0; round++) {
      // a later cut than with the seed, so that answers are acknowledged first
      const { acked } = await loadUntilCut(s, citizens, {
        VEJLED_TEST_SYNCHRONOUS: 'OFF',
        VEJLED_TEST_POWERLOSS_AFTER: String(300 + 200 * round),
      });
      for (const c of citizens) {
        const have = stored(s.db, c).rows[0]?.[1] ?? 0;
        const want = before.get(c.enrolment) + acked.get(c.enrolment);
        ackedAll += acked.get(c.enrolment);
        if (have < want) lost += want - have;
        before.set(c.enrolment, have);
      }
    }
    t.diagnostic(`synchronous=OFF: ${lost} of ${ackedAll} acknowledged submissions lost`);
    assert.ok(ackedAll > 0, 'answers were acknowledged before the cut');
    assert.ok(lost > 0, 'with synchronous=OFF the power cut loses acknowledged answers');
  });
});
