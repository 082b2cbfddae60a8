// Group commit (server/store/writer.c): many answer submissions at once are committed in shared,
// durable transactions — every acknowledged one is stored, each all-or-nothing, and the
// journal's hash chain still verifies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { readyCitizen, submit } from './answers.mjs';
import { PG, cli, groupConcat, sqlite, startServer } from './harness.mjs';

const CITIZENS = 32;
const ROUNDS = 3; // submissions per citizen, all in flight at once

describe('group commit of answer submissions', () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { if (s) await s.cleanup(); });

  it('stores every one of many concurrent submissions and the journal verifies', async () => {
    const citizens = [];
    for (let i = 0; i < CITIZENS; i++) citizens.push(await readyCitizen(s));
    const jobs = [];
    for (const c of citizens) for (let r = 0; r < ROUNDS; r++) jobs.push(submit(c));
    const ok = await Promise.all(jobs);
    assert.equal(ok.filter(Boolean).length, CITIZENS * ROUNDS, 'every submission acknowledged');

    for (const c of citizens) {
      // attempts 1..ROUNDS for each question of video 1, nothing more, nothing less
      const rows = sqlite(s.db, `SELECT a.question_id, ${groupConcat(s.db, 'a.attempt')}
        FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
        WHERE e.uuid = '${c.enrolment}' GROUP BY a.question_id ORDER BY a.question_id;`)
        .split('\n').filter(Boolean);
      assert.equal(rows.length, c.questions, 'an answer row per question');
      for (const row of rows) {
        const attempts = row.split('|')[1].split(',').map(Number).sort((x, y) => x - y);
        assert.deepEqual(attempts, [1, 2, 3], `attempts of ${row}`);
      }
      const journalled = sqlite(s.db, `SELECT count(*) FROM journal
        WHERE kind = 'answers_submitted' AND enrolment_uuid = '${c.enrolment}';`).trim();
      assert.equal(Number(journalled), ROUNDS, 'one journal entry per submission');
    }
    const stderrBefore = s.stderr.length;
    await s.stop();
    const v = cli(['verify', '--db', s.db]);
    assert.equal(v.status, 0, `verify: ${v.stdout}${v.stderr}`);
    // the SQLite file's own consistency check (no such thing for a PostgreSQL client)
    if (!PG) assert.equal(sqlite(s.db, 'PRAGMA integrity_check;').trim(), 'ok');
    // the submissions really shared transactions
    const m = /group commit: (\d+) answer submissions in (\d+) transactions/.exec(s.stderr.slice(stderrBefore));
    assert.ok(m, `the server reports its group commits:\n${s.stderr.slice(-400)}`);
    assert.equal(Number(m[1]), CITIZENS * ROUNDS);
    assert.ok(Number(m[2]) < Number(m[1]), `fewer transactions (${m[2]}) than submissions (${m[1]})`);
  });
});
