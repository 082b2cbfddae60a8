// A case system recomputes every journal hash from GET /api/v1/citizens/{id}/journal, as
// the README describes: SHA-256 of prev_hash, seq, at, kind, actor, the citizen's id, the
// enrolment's id and data, joined by "\n", where data is the entry's "data" text exactly as
// it stands in the answer.  Watching reports hold numbers with fractions (seconds, shares,
// ranges); those are where a re-printed number would differ from the hashed one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { readyCitizen, submit } from './answers.mjs';
import { csrfOf, startServer } from './harness.mjs';
import { journalHash, rawData } from './helpers/journal.mjs';

describe('the journal through the API', () => {
  let s;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('every hash recomputes from the answer\'s own text, fractions in watching reports included', async () => {
    const c = await readyCitizen(s);
    const csrf = csrfOf((await c.browser.get('/borger/video/1')).text);
    const play = (fields) => c.browser.post('/borger/video/1/afspilning', { csrf, ...fields });
    assert.equal((await play({ d: '40', p: '0-13.3' })).status, 204);
    assert.equal((await play({ d: '40.4', p: '0-13.3,13.5-40.4', e: '1' })).status, 204);
    assert.ok(await submit(c), 'answers acknowledged');

    const r = await s.api('GET', `/api/v1/citizens/${c.citizen}/journal`);
    assert.equal(r.status, 200, r.text);
    const { entries } = r.json;
    const raw = rawData(r.text);
    assert.equal(raw.length, entries.length, 'one data per entry');
    const kinds = entries.map((e) => e.kind);
    for (const k of ['enrolled', 'link_opened', 'video_played', 'video_watched', 'answers_submitted'])
      assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    let fractions = 0;
    entries.forEach((e, i) => {
      assert.deepEqual(JSON.parse(raw[i]), e.data, `entry ${e.seq}: the scanner read its data`);
      assert.equal(journalHash(e, c.citizen, raw[i]), e.hash, `entry ${e.seq} (${e.kind}) recomputes: ${raw[i]}`);
      if (/\d\.\d*[1-9]/.test(raw[i])) fractions++;
    });
    assert.ok(fractions >= 2, 'the watching entries hold numbers with fractions');
    // and the chain runs through them
    for (let i = 1; i < entries.length; i++)
      assert.ok(entries[i].seq > entries[i - 1].seq);
  });
});
