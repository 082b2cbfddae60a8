// One server lost in the middle of a write transaction, its connection not closed.
//
// Every write transaction on PostgreSQL first takes the one journal lock, so a transaction
// left open blocks every writer of every server.  A server killed with SIGKILL is harmless
// (its kernel closes the socket, PostgreSQL ends the session at once: multiserver.test.mjs),
// but a machine that loses power or its network, or a process that hangs (frozen VM,
// SIGSTOP), leaves its session "idle in transaction" holding the lock, until its TCP
// connection is found dead (hours).  PostgreSQL must end that transaction once it has sat
// idle [database] busy_timeout_ms, so that the other servers' writes go on.
//
// The lost server is made certain: it holds the journal lock and waits for a row lock the
// test holds; it is then frozen (SIGSTOP) and the row lock let go, so its session is idle
// in its transaction, as after a power cut between two statements.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { PG, enrolBody, freshCpr, psql, sleep, startPeer, startServer } from './harness.mjs';
import { pgSession, waitFor } from './helpers/pgsession.mjs';

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
let a;
let b;

function idleInTransaction(db) {
  const name = new URL(db).pathname.slice(1);
  return Number(psql(db, `SELECT count(*) FROM pg_stat_activity s JOIN pg_locks l ON l.pid = s.pid
    WHERE s.datname = '${name}' AND s.application_name = 'vejled' AND s.state = 'idle in transaction'
    AND l.locktype = 'advisory' AND l.granted;`).trim());
}

describe('a server lost inside a write transaction', { skip: !PG && 'several servers: PostgreSQL only' }, () => {
  before(async () => {
    a = await startServer(); // busy_timeout_ms: the default
    b = await startPeer(a);
  });
  after(async () => {
    if (b && b.proc && !b.exit) {
      b.proc.kill('SIGCONT');
      b.proc.kill('SIGKILL');
      await b.exited;
    }
    if (b) fs.rmSync(b.dir, { recursive: true, force: true });
    if (a) await a.cleanup();
  });

  it('the other server records an enrolment within 30 s (the lost one\'s transaction is ended)', { timeout: 120_000 }, async () => {
    const e = await a.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { first_meeting_at: iso(Date.now() + 20 * 86400e3) }) });
    assert.equal(e.status, 201, e.text);
    const t = await pgSession(a.db);
    try {
      await t.run(`BEGIN; SELECT id FROM enrolments WHERE uuid = '${e.json.enrolment_id}' FOR UPDATE;`);
      // server B moves the meeting: it holds the journal lock and waits for the row
      b.api('PUT', `/api/v1/enrolments/${e.json.enrolment_id}/planned-meeting`,
        { body: { first_meeting_at: iso(Date.now() + 30 * 86400e3) } }).catch(() => {});
      await waitFor(a.db, "wait_event = 'transactionid'");
      b.proc.kill('SIGSTOP'); // the machine is gone, its connection not closed
      await t.run('COMMIT;');
      for (let i = 0; idleInTransaction(a.db) === 0; i++) {
        assert.ok(i < 100, 'B\'s session is idle in its transaction');
        await sleep(50);
      }
    } finally {
      t.kill();
    }
    // a case system asks again after Retry-After, as the 503 tells it to
    const started = Date.now();
    let answer;
    for (;;) {
      try {
        answer = await a.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr()) });
      } catch (err) {
        answer = { status: 0, text: String(err) };
      }
      if (answer.status !== 503 || Date.now() - started > 30_000) break;
      assert.equal(answer.json.error.code, 'busy', answer.text);
      await sleep(Number(answer.headers['retry-after']) * 1000);
    }
    assert.deepEqual({ status: answer.status, lockHeldByLostServer: idleInTransaction(a.db) > 0 },
      { status: 201, lockHeldByLostServer: false },
      `server A records an enrolment while server B is lost (${((Date.now() - started) / 1000).toFixed(1)} s): ${answer.text}`);
  });
});
