// A write that finds the write lock held by someone else for longer than
// [database] busy_timeout_ms: the answer comes after about that long, says 503 `busy` with
// Retry-After, and nothing was written; once the lock is free the same request goes
// through.  The time counts every wait, the waits for the lock inside each try included
// (on PostgreSQL each try may itself wait busy_timeout_ms for the lock): counting only the
// pauses between tries held a request for many times the limit.
//
// The lock is held by the test: on PostgreSQL a session holding the journal's advisory lock
// (the one every write on every server takes first), on SQLite a sqlite3 process inside
// BEGIN IMMEDIATE.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { PG, enrolBody, freshCpr, sqlite, startServer } from './harness.mjs';
import { pgSession } from './helpers/pgsession.mjs';

const BUSY_MS = 1000;
const JOURNAL_LOCK = 130177949237250; // the write lock's key (store/store_internal.h)
let s;

/** Holds the database's write lock until release() is called. */
async function holdWriteLock(db) {
  if (PG) {
    const t = await pgSession(db);
    await t.run(`BEGIN; SELECT pg_advisory_xact_lock(${JOURNAL_LOCK});`);
    return { release: async () => { await t.run('COMMIT;'); await t.close(); }, kill: () => t.kill() };
  }
  const p = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d) => { out += d; });
  const closed = new Promise((resolve) => p.on('close', resolve));
  p.stdin.write("BEGIN IMMEDIATE;\nSELECT 'held';\n");
  for (let i = 0; !out.includes('held'); i++) {
    assert.ok(i < 600 && p.exitCode === null, 'sqlite3 holds the write lock');
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    release: async () => { p.stdin.write('COMMIT;\n.quit\n'); p.stdin.end(); await closed; },
    kill: () => { if (p.exitCode === null) p.kill('SIGKILL'); },
  };
}

describe('a write that waits for the lock longer than busy_timeout_ms', () => {
  before(async () => {
    s = await startServer({ config: `[database]\nbusy_timeout_ms = ${BUSY_MS}\n` });
  });
  after(async () => { if (s) await s.cleanup(); });

  it('is answered 503 busy with Retry-After after about busy_timeout_ms, changes nothing, and goes through once the lock is free', { timeout: 60_000 }, async () => {
    const count = () => Number(sqlite(s.db, 'SELECT count(*) FROM enrolments;').trim());
    const enrolments = count();
    const body = enrolBody(freshCpr());
    const lock = await holdWriteLock(s.db);
    let answer;
    let took;
    try {
      const started = Date.now();
      answer = await s.api('POST', '/api/v1/enrolments', { body });
      took = Date.now() - started;
    } finally {
      await lock.release().catch(() => lock.kill());
    }
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.json.error.code, 'busy');
    assert.equal(answer.headers['retry-after'], '2');
    // about the limit: tries, pauses and each try's own wait for the lock together
    assert.ok(took >= BUSY_MS * 0.9 && took < BUSY_MS * 3,
      `answered after ${took} ms with busy_timeout_ms = ${BUSY_MS}`);
    assert.equal(count(), enrolments, 'nothing was written');

    const again = await s.api('POST', '/api/v1/enrolments', { body });
    assert.equal(again.status, 201, again.text);
    assert.equal(count(), enrolments + 1);
  });
});
