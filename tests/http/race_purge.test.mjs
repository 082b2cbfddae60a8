// The retention purge against a citizen who becomes active again meanwhile, on another
// server.
//
// The purge (any server's scheduler, or `vejled purge`) reads its candidates (citizens
// without activity for the retention period) once, then purges them one by one, each in a
// write transaction of its own.  Another server may enrol the same person again (found by
// the CPR look-up: the same citizen row), or the citizen may open the letter's link, in
// between.  The purge must ask again inside its transaction, under the write lock: else
// the fresh enrolment is purged with the old data (the link it just answered with stops
// working, its written guidance is cancelled) and the journal says `citizen_purged` (N
// days without activity) right after the entry that proves the activity.
//
// The interleaving is made certain with the write lock itself: the test's session holds
// the journal's advisory lock (the one every write on every server takes first), the purge
// reads its candidates and waits for the lock, and the test's session, as another server
// would, records that the citizen opened the letter's link, and commits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { PG, cliAsync, enrolBody, freshCpr, sqlite, startServer } from './harness.mjs';
import { pgSession, waitFor } from './helpers/pgsession.mjs';

const DAY = 86400;
let s;

describe('retention purge and a citizen active again on another server', { skip: !PG && 'several servers: PostgreSQL only' }, () => {
  before(async () => {
    s = await startServer({ config: '[database]\nbusy_timeout_ms = 60000\n' });
  });
  after(async () => { if (s) await s.cleanup(); });

  it('a citizen active again while the purge waits is not purged: the next enrolment keeps its link and its letter', async () => {
    const cpr = freshCpr();
    const first = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr, { first_meeting_at: '2030-03-01T09:00:00Z' }) });
    assert.equal(first.status, 201, first.text);
    // three years without activity: a candidate of a one-year retention
    const old = Math.floor(Date.now() / 1000) - 3 * 365 * DAY;
    sqlite(s.db, `UPDATE citizens SET created_at = ${old} WHERE uuid = '${first.json.citizen_id}';
      UPDATE enrolments SET created_at = ${old}, first_meeting_at = ${old + 10 * DAY}
        WHERE uuid = '${first.json.enrolment_id}';`);

    // the citizen opens the link on another server (here the test's own statement, under the lock)
    const t = await pgSession(s.db);
    const JOURNAL_LOCK = 130177949237250; // the write lock's key (store/store_internal.h)
    try {
      await t.run(`BEGIN; SELECT pg_advisory_xact_lock(${JOURNAL_LOCK});`);
      // the purge has read its candidates and waits for the write lock
      const purge = cliAsync(['purge', '--db', s.db, '--older-than', '365d']);
      await waitFor(s.db, "wait_event = 'advisory'");
      const now = Math.floor(Date.now() / 1000);
      await t.run(`UPDATE enrolments SET opened_at = ${now} WHERE uuid = '${first.json.enrolment_id}';
        COMMIT;`);
      const r = await purge;
      assert.equal(r.status, 0, r.stderr);
      // the citizen is active again: the next enrolment finds the same citizen
      const again = await s.api('POST', '/api/v1/enrolments', {
        body: enrolBody(cpr, { target_group: 'sygedagpenge', first_meeting_at: '2030-03-01T09:00:00Z' }),
      });
      assert.equal(again.status, 201, again.text);
      assert.equal(again.json.citizen_id, first.json.citizen_id, 'the same citizen, found by the CPR');

      const row = sqlite(s.db, `SELECT c.purged_at IS NOT NULL, e.token_expires_at > ${Math.floor(Date.now() / 1000)},
          (SELECT state FROM jobs j WHERE j.enrolment_id = e.id AND j.kind = 'send_written_guidance')
        FROM enrolments e JOIN citizens c ON c.id = e.citizen_id WHERE e.uuid = '${again.json.enrolment_id}';`).trim();
      const kinds = sqlite(s.db, `SELECT kind FROM journal WHERE citizen_uuid = '${first.json.citizen_id}' ORDER BY seq;`)
        .trim().split('\n');
      const [purged, linkWorks, letter] = row.split('|');
      assert.deepEqual({ purged, linkWorks, letter, lastEntry: kinds[kinds.length - 1] },
        { purged: 'f', linkWorks: 't', letter: 'pending', lastEntry: 'enrolled' },
        `the citizen active again during the purge is not purged: its new link works, its written guidance is still to go out, and no citizen_purged (a year without activity) follows the enrolment; journal: ${kinds.join(', ')}`);
    } finally {
      t.kill();
    }
  });
});
