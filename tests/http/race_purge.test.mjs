// The retention purge against a citizen enrolled again meanwhile, on another server.
//
// purge_run (domain/purge.c) reads its candidates (citizens without activity for the
// retention period) once, then for each one removes the outbox files and purges it in a
// write transaction of its own (purge_txn).  That transaction does not ask again whether
// the citizen is still a candidate.  A server that enrols the same person (found by the CPR
// look-up, so the same citizen row) between the two has its fresh enrolment purged with the
// old data: the link it just answered with stops working, the written guidance is cancelled
// and the journal says `citizen_purged` (reason retention, N days without activity) right
// after the `enrolled` entry that proves the activity.
//
// The interleaving is made certain with an ACCESS EXCLUSIVE lock on deliveries held by the
// test: the purge (any server's scheduler thread, or `vejled purge`) then waits between
// reading its candidates and the citizen's outbox messages; the enrolment on the server
// does not read deliveries and goes through; then the lock is let go.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { PG, cliAsync, enrolBody, freshCpr, sqlite, startServer } from './harness.mjs';
import { pgSession, waitFor } from './helpers/pgsession.mjs';

const DAY = 86400;
let s;

describe('retention purge and an enrolment on another server', { skip: !PG && 'several servers: PostgreSQL only' }, () => {
  before(async () => {
    s = await startServer({ config: '[database]\nbusy_timeout_ms = 60000\n' });
  });
  after(async () => { if (s) await s.cleanup(); });

  it('a citizen enrolled again while the purge runs keeps the new enrolment, its link and its letter', async () => {
    const cpr = freshCpr();
    const first = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr, { first_meeting_at: '2030-03-01T09:00:00Z' }) });
    assert.equal(first.status, 201, first.text);
    // three years without activity: a candidate of a one-year retention
    const old = Math.floor(Date.now() / 1000) - 3 * 365 * DAY;
    sqlite(s.db, `UPDATE citizens SET created_at = ${old} WHERE uuid = '${first.json.citizen_id}';
      UPDATE enrolments SET created_at = ${old}, first_meeting_at = ${old + 10 * DAY}
        WHERE uuid = '${first.json.enrolment_id}';`);

    const t = await pgSession(s.db);
    try {
      await t.run('BEGIN; LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE;');
      // the purge has read its candidates and waits for the citizen's outbox messages
      const purge = cliAsync(['purge', '--db', s.db, '--older-than', '365d']);
      await waitFor(s.db, "wait_event = 'relation'");
      // meanwhile the case system enrols the same person in another group (another server)
      const again = await s.api('POST', '/api/v1/enrolments', {
        body: enrolBody(cpr, { target_group: 'sygedagpenge', first_meeting_at: '2030-03-01T09:00:00Z' }),
      });
      assert.equal(again.status, 201, again.text);
      assert.equal(again.json.citizen_id, first.json.citizen_id, 'the same citizen, found by the CPR');
      await t.run('COMMIT;');
      const r = await purge;
      assert.equal(r.status, 0, r.stderr);

      const row = sqlite(s.db, `SELECT c.purged_at IS NOT NULL, e.token_expires_at > ${Math.floor(Date.now() / 1000)},
          (SELECT state FROM jobs j WHERE j.enrolment_id = e.id AND j.kind = 'send_written_guidance')
        FROM enrolments e JOIN citizens c ON c.id = e.citizen_id WHERE e.uuid = '${again.json.enrolment_id}';`).trim();
      const kinds = sqlite(s.db, `SELECT kind FROM journal WHERE citizen_uuid = '${first.json.citizen_id}' ORDER BY seq;`)
        .trim().split('\n');
      const [purged, linkWorks, letter] = row.split('|');
      assert.deepEqual({ purged, linkWorks, letter, lastEntry: kinds[kinds.length - 1] },
        { purged: 'f', linkWorks: 't', letter: 'pending', lastEntry: 'enrolled' },
        `the citizen enrolled during the purge is not purged: its new link works, its written guidance is still to go out, and no citizen_purged (a year without activity) follows the enrolment; journal: ${kinds.join(', ')}`);
    } finally {
      t.kill();
    }
  });
});
