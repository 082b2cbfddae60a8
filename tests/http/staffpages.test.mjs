// The staff pages as a caseworker reads them: the list's flags and score, the filters
// folded away until used.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { decodeEntities, sqlite, startServer } from './harness.mjs';
import { citizenAnswers, enrolCitizen, ini, staff } from './staffkit.mjs';

/** The table row of a citizen on the list, as text. */
function rowOf(html, citizenId) {
  const at = html.indexOf(`/medarbejder/borger/${citizenId}`);
  assert.ok(at > 0, `the citizen ${citizenId} is on the list`);
  const start = html.lastIndexOf('<tr>', at);
  return decodeEntities(html.slice(start, html.indexOf('</tr>', at)).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' '));
}

describe('the caseworker list', () => {
  let s, cw1, soon, far, expired, done;
  before(async () => {
    s = await startServer({ config: ini({ staff: { meeting_soon_days: 4 } }) });
    cw1 = await staff(s, 'cw1');
    const inDays = (d) => new Date(Date.now() + d * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    soon = await enrolCitizen(s, { first_meeting_at: inDays(2) }, 'Snart Mødesen');
    far = await enrolCitizen(s, { first_meeting_at: inDays(10) }, 'Fjern Mødesen');
    expired = await enrolCitizen(s, { first_meeting_at: inDays(20) }, 'Udløbet Linksen');
    done = await enrolCitizen(s, { first_meeting_at: inDays(1) }, 'Åbnet Svarsen');
    await citizenAnswers(s, done);
    sqlite(s.db, `UPDATE enrolments SET token_expires_at = 1000 WHERE uuid = '${expired.enrolment_id}'`);
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('flags a meeting within meeting_soon_days whose link is not opened, and an expired link', async () => {
    const r = await cw1.get('/medarbejder/borgere');
    assert.equal(r.status, 200);
    assert.match(rowOf(r.text, soon.citizen_id), /Møde snart – link ikke åbnet/);
    assert.doesNotMatch(rowOf(r.text, soon.citizen_id), /Link udløbet/);
    assert.doesNotMatch(rowOf(r.text, far.citizen_id), /Møde snart|Link udløbet/, 'ten days away: no flag');
    assert.doesNotMatch(rowOf(r.text, done.citizen_id), /Møde snart/, 'opened: no flag');
    assert.match(rowOf(r.text, expired.citizen_id), /Link udløbet/);
    assert.doesNotMatch(rowOf(r.text, expired.citizen_id), /Møde snart/);
  });

  it('meeting_soon_days = 0 turns the meeting flag off', async () => {
    const t = await startServer({ config: ini({ staff: { meeting_soon_days: 0 } }) });
    try {
      const b = await staff(t, 'cw1');
      const inDays = new Date(Date.now() + 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
      const e = await enrolCitizen(t, { first_meeting_at: inDays });
      const r = await b.get('/medarbejder/borgere');
      assert.doesNotMatch(rowOf(r.text, e.citizen_id), /Møde snart/);
    } finally {
      await t.stop();
      await t.cleanup();
    }
  });

  it('one clear score: "N af M rigtige", and the focus labels as separate list items', async () => {
    const r = await cw1.get('/medarbejder/borgere');
    const row = rowOf(r.text, done.citizen_id);
    const total = Number(sqlite(s.db, `SELECT count(*) FROM questions q JOIN videos v ON v.id = q.video_id
      JOIN enrolments e ON e.pack_id = v.pack_id WHERE e.uuid = '${done.enrolment_id}'`).trim());
    const right = Number(sqlite(s.db, `SELECT count(*) FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
      WHERE e.uuid = '${done.enrolment_id}' AND a.correct = 1 AND a.attempt = 1`).trim());
    assert.match(row, new RegExp(`${right} af ${total} rigtige`));
    const html = r.text.slice(r.text.indexOf(`/medarbejder/borger/${done.citizen_id}`));
    const cell = html.slice(0, html.indexOf('</tr>'));
    assert.match(cell, /<ul class="vejled-focus-list"><li class="vejled-focus">Fokusemner<\/li><li class="vejled-asked">Har spørgsmål<\/li><\/ul>/);
  });

  it('the filters are folded away until one is used', async () => {
    let r = await cw1.get('/medarbejder/borgere');
    assert.match(r.text, /<details class="vejled-filters">/);
    assert.ok(r.text.indexOf('<details class="vejled-filters">') < r.text.indexOf('<table'));
    r = await cw1.get('/medarbejder/borgere?status=in_progress');
    assert.match(r.text, /<details class="vejled-filters" open>/);
    r = await cw1.get('/medarbejder/borgere?fra=2026-13-01');
    assert.equal(r.status, 422);
    assert.match(r.text, /<details class="vejled-filters" open>/);
  });
});
