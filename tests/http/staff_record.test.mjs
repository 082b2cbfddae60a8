// What the caseworker records and sees: the meeting form attests oral guidance only when
// the caseworker chooses yes or no, and shows back what was recorded; scope is per
// enrolment (a citizen who changed to another unit's caseworker); a new link by letter from
// the citizen page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, backdateEnrolment, cli, decodeEntities, enrolBody, freshCpr, parseForms, nowSeconds, parseLinks, sqlite, startServer, tableCounts } from './harness.mjs';
import { assertSummaryOnTop, citizenAnswers, enrolCitizen, errorSummary, formCsrf, hiddenFields, ini, meetingNow, pdfText, staff } from './staffkit.mjs';

const HUMAN_TIME = String.raw`\d{1,2}\. [a-zæøå]+ 20\d\d kl\. \d\d\.\d\d`;

/** Table counts without the access log (reads write to it; they change nothing else). */
function counts(db) {
  const c = tableCounts(db);
  delete c.access_log;
  return c;
}

async function journal(s, citizenId) {
  const r = await s.api('GET', `/api/v1/citizens/${citizenId}/journal`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}

/** The citizen links on a caseworker's list. */
async function listed(b) {
  const r = await b.get('/medarbejder/borgere');
  assert.equal(r.status, 200);
  return parseLinks(r.text).filter((l) => l.startsWith('/medarbejder/borger/'));
}

/** The section of one enrolment on the citizen page ('' when it is not there). */
function section(html, enrolmentId) {
  const at = html.indexOf(`id="enr-${enrolmentId}"`);
  if (at < 0) return '';
  const end = html.indexOf('</section>', at);
  return html.slice(at, end);
}

/** A citizen enrolled by cw1 who answered, then moved by a group change to cw2 (another
 * unit): {old, now} enrolments, both of the same citizen. */
async function movedCitizen(s, name) {
  const old = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: '2031-02-01T09:00:00Z' }, name);
  await citizenAnswers(s, old);
  const r = await s.api('PUT', `/api/v1/citizens/${old.citizen_id}/target-group`, {
    body: { target_group: 'kontanthjaelp-jobparat', next_meeting_at: '2031-03-01T09:00:00Z', caseworker: 'cw2' },
  });
  assert.equal(r.status, 201, r.text);
  return { old, now: r.json };
}

describe('the meeting form attests nothing by default', () => {
  let s;
  let cw1;
  let A;
  let recordedNo; // the meeting time "no" was recorded with, which the correction starts from
  const url = () => `/medarbejder/borger/${A.citizen_id}/moede`;
  before(async () => {
    s = await startServer();
    cw1 = await staff(s, 'cw1');
    A = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: '2031-01-15T09:00:00Z' }, 'Mette Mødetest');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('the form names the enrolment it writes to and has yes and no, neither chosen', async () => {
    const page = await cw1.get(url());
    assert.equal(page.status, 200);
    const form = parseForms(page.text).find((f) => f.action === url());
    const radios = form.inputs.filter((i) => i.name === 'mundtlig');
    assert.deepEqual(radios.map((i) => [i.type, i.value]), [['radio', 'ja'], ['radio', 'nej']]);
    assert.ok(radios.every((i) => !i.checked), 'neither answer is chosen on load');
    assert.ok(!form.inputs.some((i) => i.type === 'checkbox'), 'no pre-ticked checkbox');
    assert.equal(hiddenFields(page.text, url()).forloeb, A.enrolment_id);
    const text = decodeEntities(page.text);
    assert.ok(text.includes(A.enrolment_id), 'the enrolment is named');
    assert.match(text, /Forløb \(målgruppe\)<\/dt><dd>Dagpenge/);
    assert.match(text, new RegExp(`Planlagt møde</dt><dd>${HUMAN_TIME}`));
    assert.match(text, /<legend class="form-label">Har borgeren fået mundtlig vejledning/);
  });

  it('without a choice: "Der er problemer" with a link to the field, and nothing is recorded', async () => {
    const page = await cw1.get(url());
    const hidden = hiddenFields(page.text, url());
    const before = counts(s.db);
    const when = meetingNow();
    for (const mundtlig of [undefined, '', 'on', 'JA', 'yes']) {
      const fields = { ...hidden, ...when, note: 'Ingen valgt' };
      if (mundtlig !== undefined) fields.mundtlig = mundtlig;
      const r = await cw1.post(url(), fields);
      assert.equal(r.status, 422, `mundtlig=${mundtlig}`);
      const sum = assertSummaryOnTop(r.text, ['mundtlig']);
      assert.equal(sum.length, 1, JSON.stringify(sum));
      assert.match(sum[0].text, /Vælg, om borgeren har fået mundtlig vejledning/);
      assert.match(decodeEntities(r.text), /Der er problemer/);
      const radios = parseForms(r.text).find((f) => f.action === url()).inputs.filter((i) => i.name === 'mundtlig');
      assert.ok(radios.every((i) => !i.checked), 'still neither chosen');
      assert.ok(r.text.includes('Ingen valgt'), 'what was typed is kept');
    }
    assert.deepEqual(counts(s.db), before, 'nothing written');
    assert.ok(!(await journal(s, A.citizen_id)).some((e) => e.kind === 'meeting_recorded'));
    const api = (await s.api('GET', `/api/v1/enrolments/${A.enrolment_id}`)).json;
    assert.equal(api.meeting, null);
    assert.equal(api.oral_guidance_recorded, false);
    // the API has no default either: oral_guidance is a required boolean
    for (const body of [{ held_at: '2026-01-05T09:00:00Z' }, { held_at: '2026-01-05T09:00:00Z', oral_guidance: null },
      { held_at: '2026-01-05T09:00:00Z', oral_guidance: 'ja' }, { held_at: '2026-01-05T09:00:00Z', oral_guidance: 1 }]) {
      const r = await s.api('POST', `/api/v1/enrolments/${A.enrolment_id}/meeting`, { body });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.field, 'oral_guidance');
    }
    assert.deepEqual(counts(s.db), before, 'nothing written by the API either');
  });

  it('a time that does not exist, both answers at once, or a date before the enrolment began: a form error, nothing recorded', async () => {
    // a citizen of its own: A's meeting is recorded by the tests below
    const B = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: '2031-01-15T09:00:00Z' }, 'Bo Sommertid');
    const bUrl = `/medarbejder/borger/${B.citizen_id}/moede`;
    const page = await cw1.get(bUrl);
    const hidden = hiddenFields(page.text, bUrl);
    // the enrolment began in 2026 before summer time: 29 March 2026 02:30 is in the hour
    // Copenhagen's clocks skip (it would be stored as 03:30)
    backdateEnrolment(s.db, B.enrolment_id, '2026-03-01T08:00:00Z');
    const before = counts(s.db);
    const gap = await cw1.post(bUrl, { ...hidden, dato: '2026-03-29', tid: '02:30', mundtlig: 'ja' });
    assert.equal(gap.status, 422, gap.text.slice(0, 300));
    let sum = assertSummaryOnTop(gap.text, ['tid']);
    assert.match(sum[0].text, /findes ikke den dag/);
    const both = [['csrf', hidden.csrf], ['forloeb', hidden.forloeb], ['dato', meetingNow().dato],
      ['tid', meetingNow().tid], ['mundtlig', 'ja'], ['mundtlig', 'nej']];
    for (const fields of [both, [...both.slice(0, 4), ['mundtlig', 'nej'], ['mundtlig', 'ja']]]) {
      const r = await cw1.post(bUrl, fields);
      assert.equal(r.status, 422, r.text.slice(0, 300));
      sum = assertSummaryOnTop(r.text, ['mundtlig']);
      assert.match(sum[0].text, /enten ja eller nej/);
    }
    const early = await cw1.post(bUrl, { ...hidden, dato: '2026-02-27', tid: '10:00', mundtlig: 'ja' });
    assert.equal(early.status, 422, early.text.slice(0, 300));
    sum = assertSummaryOnTop(early.text, ['dato']);
    assert.match(decodeEntities(sum[0].text), new RegExp(`før forløbet begyndte \\(1\\. marts 2026 kl\\. 09\\.00\\)`));
    assert.deepEqual(counts(s.db), before, 'nothing written');
    assert.equal((await s.api('GET', `/api/v1/enrolments/${B.enrolment_id}`)).json.meeting, null);
    // 03:30 that day exists, and is after the enrolment began
    const ok = await cw1.post(bUrl, { ...hidden, dato: '2026-03-29', tid: '03:30', mundtlig: 'ja' });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    assert.equal((await s.api('GET', `/api/v1/enrolments/${B.enrolment_id}`)).json.meeting.held_at, '2026-03-29T01:30:00Z');
  });

  it('"no" is recorded as no: not correctly guided by the oral route; the page shows what was recorded', async () => {
    const page = await cw1.get(url());
    const hidden = hiddenFields(page.text, url());
    const when = meetingNow();
    const r = await cw1.post(url(), { ...hidden, ...when, mundtlig: 'nej', note: 'Borgeren & jeg <talte> om jobsøgning' });
    recordedNo = when;
    assert.equal(r.status, 303, r.text.slice(0, 400));
    assert.equal(r.headers.location, `/medarbejder/borger/${A.citizen_id}?gemt=moede&forloeb=${A.enrolment_id}`);
    const api = (await s.api('GET', `/api/v1/enrolments/${A.enrolment_id}`)).json;
    assert.equal(api.oral_guidance_recorded, false);
    assert.equal(api.meeting.oral_guidance, false);
    assert.equal(api.meeting.recorded_by, 'cw1');
    assert.equal(api.meeting.note, 'Borgeren & jeg <talte> om jobsøgning');
    const m = (await journal(s, A.citizen_id)).filter((e) => e.kind === 'meeting_recorded');
    assert.equal(m.length, 1);
    assert.equal(m[0].data.oral_guidance, false);
    assert.equal(m[0].actor, 'cw1');
    assert.equal(m[0].enrolment_id, A.enrolment_id);
    const id = `(SELECT id FROM enrolments WHERE uuid = '${A.enrolment_id}')`;
    assert.equal(sqlite(s.db, `SELECT CASE WHEN oral_guidance_at IS NULL THEN 1 ELSE 0 END FROM enrolments WHERE id = ${id}`).trim(), '1');
    assert.equal(sqlite(s.db, `SELECT oral, guided FROM stats_enrolment WHERE enrolment_id = ${id}`).trim(), '0|0',
      'not correctly guided: no oral guidance and not completed');
    // the confirmation: exactly what is stored, and by whom
    const shown = await cw1.get(r.headers.location);
    assert.equal(shown.status, 200);
    const html = shown.text;
    const alert = decodeEntities(html.slice(html.indexOf('id="gemt"'), html.indexOf('</div></div>', html.indexOf('id="gemt"'))));
    assert.match(alert, /Mødet er registreret/);
    assert.match(alert, new RegExp(`Afholdt</dt><dd>${HUMAN_TIME.replace(String.raw`\d\d\.\d\d`, when.tid.replace(':', '\\.'))}</dd>`));
    assert.match(alert, /Mundtlig vejledning givet<\/dt><dd>Nej<\/dd>/);
    assert.match(alert, /Notat<\/dt><dd class="vejled-note">Borgeren & jeg <talte> om jobsøgning<\/dd>/);
    assert.ok(html.includes('Borgeren &amp; jeg &lt;talte&gt;'), 'the note is escaped');
    assert.match(alert, /Registreret af<\/dt><dd>Demo Sagsbehandler Nord \(cw1\)<\/dd>/);
    assert.match(alert, new RegExp(`Registreret</dt><dd>${HUMAN_TIME}</dd>`));
    // the enrolment shows the meeting as held (its time, not the planned 2031 one)
    const sec = decodeEntities(section(html, A.enrolment_id));
    assert.match(sec, new RegExp(`Møde</dt><dd>Afholdt ${HUMAN_TIME}</dd>`));
    assert.ok(!/Møde<\/dt><dd>[^<]*2031/.test(sec), 'not the planned time');
    assert.match(sec, /Mundtlig vejledning<\/dt><dd>Ikke givet/);
    // without ?gemt the page shows the record but no confirmation
    const plain = await cw1.get(`/medarbejder/borger/${A.citizen_id}`);
    assert.ok(!plain.text.includes('id="gemt"'));
    assert.match(decodeEntities(plain.text), /Registreret møde/);
  });

  it('"yes" corrects it: oral guidance recorded, and shown as given', async () => {
    const page = await cw1.get(`${url()}?forloeb=${A.enrolment_id}`);
    const hidden = hiddenFields(page.text, url());
    const when = meetingNow();
    // a correction starts from what is recorded, shown above the form; oral guidance is
    // answered anew
    const form = parseForms(page.text).find((f) => f.action === url());
    assert.equal(form.inputs.find((i) => i.name === 'dato').value, recordedNo.dato);
    assert.equal(form.inputs.find((i) => i.name === 'tid').value, recordedNo.tid);
    assert.ok(form.inputs.filter((i) => i.name === 'mundtlig').every((i) => !i.checked), 'no answer carried over');
    assert.ok(page.text.includes('>Borgeren &amp; jeg &lt;talte&gt; om jobsøgning</textarea>'), 'the note is kept unless changed');
    assert.match(decodeEntities(page.text), /Allerede registreret[\s\S]*Mundtlig vejledning givet<\/dt><dd>Nej/);
    const r = await cw1.post(url(), { ...hidden, ...meetingNow(3), mundtlig: 'ja' });
    assert.equal(r.status, 303);
    const api = (await s.api('GET', `/api/v1/enrolments/${A.enrolment_id}`)).json;
    assert.equal(api.oral_guidance_recorded, true);
    assert.equal(api.meeting.oral_guidance, true);
    assert.equal(api.meeting.note, null);
    const id = `(SELECT id FROM enrolments WHERE uuid = '${A.enrolment_id}')`;
    assert.equal(sqlite(s.db, `SELECT oral FROM stats_enrolment WHERE enrolment_id = ${id}`).trim(), '1');
    const shown = decodeEntities((await cw1.get(r.headers.location)).text);
    assert.match(shown, /Mundtlig vejledning givet<\/dt><dd>Ja<\/dd>/);
    assert.match(shown, /Notat<\/dt><dd class="vejled-note">Intet notat/);
    assert.match(shown, /Mundtlig vejledning<\/dt><dd>Givet /);
  });

  it('a form without the enrolment it writes to, or naming an unknown one, is 404 and writes nothing', async () => {
    const page = await cw1.get(url());
    const { csrf } = hiddenFields(page.text, url());
    const before = counts(s.db);
    const when = meetingNow();
    for (const forloeb of [undefined, '', '00000000-0000-4000-8000-000000000000', 'x'.repeat(500)]) {
      const fields = { csrf, ...when, mundtlig: 'ja' };
      if (forloeb !== undefined) fields.forloeb = forloeb;
      assert.equal((await cw1.post(url(), fields)).status, 404, String(forloeb));
    }
    assert.equal((await cw1.get(`${url()}?forloeb=00000000-0000-4000-8000-000000000000`)).status, 404);
    assert.deepEqual(counts(s.db), before);
  });
});

describe('scope per enrolment: a citizen who moved to another unit', () => {
  let s;
  let cw1;
  let cw2;
  let admin;
  let M; // {old: cw1's enrolment (closed, answered), now: cw2's enrolment}
  before(async () => {
    s = await startServer();
    cw1 = await staff(s, 'cw1');
    cw2 = await staff(s, 'cw2');
    admin = await staff(s, 'admin');
    M = await movedCitizen(s, 'Flemming Flytter');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('the group change named the new caseworker; a bad one is 422 and writes nothing', async () => {
    const now = (await s.api('GET', `/api/v1/enrolments/${M.now.enrolment_id}`)).json;
    assert.equal(now.caseworker, 'cw2');
    assert.equal((await s.api('GET', `/api/v1/enrolments/${M.old.enrolment_id}`)).json.caseworker, 'cw1');
    const before = counts(s.db);
    for (const caseworker of [7, 'x'.repeat(64), ['cw2']]) {
      const r = await s.api('PUT', `/api/v1/citizens/${M.old.citizen_id}/target-group`, {
        body: { target_group: 'sygedagpenge', next_meeting_at: '2031-03-01T09:00:00Z', caseworker },
      });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.field, 'caseworker');
    }
    assert.deepEqual(counts(s.db), before);
  });

  it('the list: the new unit lists the citizen, the old unit does not', async () => {
    const href = `/medarbejder/borger/${M.old.citizen_id}`;
    assert.ok((await listed(cw2)).includes(href));
    assert.ok(!(await listed(cw1)).includes(href));
    assert.ok((await listed(admin)).includes(href));
  });

  it('the old unit sees only its own (closed) enrolment, not the new one', async () => {
    const r = await cw1.get(`/medarbejder/borger/${M.old.citizen_id}`);
    assert.equal(r.status, 200);
    assert.ok(section(r.text, M.old.enrolment_id), 'its own enrolment');
    assert.ok(!r.text.includes(M.now.enrolment_id), 'the new enrolment is not even hinted');
    assert.ok(!/Kontanthjælp/.test(decodeEntities(r.text)), 'nor its group');
    assert.ok(!r.text.includes('/moede'), 'nothing to record on');
    assert.ok(!r.text.includes('/nyt-link'), 'no link to renew');
    assert.match(decodeEntities(r.text), /vejled-right">Rigtigt|vejled-wrong">Forkert/, 'its own answers');
  });

  it('the old unit cannot record on the new enrolment: forged ids are 404 and write nothing', async () => {
    const url = `/medarbejder/borger/${M.old.citizen_id}/moede`;
    assert.equal((await cw1.get(url)).status, 404, 'no open enrolment of its unit');
    assert.equal((await cw1.get(`${url}?forloeb=${M.now.enrolment_id}`)).status, 404);
    const csrf = formCsrf((await cw1.get('/medarbejder/borgere')).text, '/medarbejder/borgere');
    const before = counts(s.db);
    const when = meetingNow();
    for (const forloeb of [M.now.enrolment_id, M.old.enrolment_id]) {
      const r = await cw1.post(url, { csrf, forloeb, ...when, mundtlig: 'ja' });
      assert.equal(r.status, 404, forloeb);
      const n = await cw1.post(`/medarbejder/borger/${M.old.citizen_id}/nyt-link`, { csrf, forloeb });
      assert.equal(n.status, 404, forloeb);
    }
    assert.deepEqual(counts(s.db), before, 'nothing written');
    assert.equal((await s.api('GET', `/api/v1/enrolments/${M.now.enrolment_id}`)).json.meeting, null);
    // the 404 is the very page of an unknown citizen
    const unknown = await cw1.get('/medarbejder/borger/00000000-0000-4000-8000-000000000000/moede');
    const forged = await cw1.get(`${url}?forloeb=${M.now.enrolment_id}`);
    assert.equal(forged.text.replace(/name="csrf" value="[^"]*"/g, ''), unknown.text.replace(/name="csrf" value="[^"]*"/g, ''));
  });

  it('the new unit sees the new enrolment, not the old one\'s answers, journal or readers', async () => {
    // cw1 reads the page first: cw2 must not see that read
    assert.equal((await cw1.get(`/medarbejder/borger/${M.old.citizen_id}`)).status, 200);
    const r = await cw2.get(`/medarbejder/borger/${M.old.citizen_id}`);
    assert.equal(r.status, 200);
    const text = decodeEntities(r.text);
    assert.ok(section(r.text, M.now.enrolment_id), 'the new enrolment');
    assert.ok(!r.text.includes(M.old.enrolment_id), 'the old enrolment is not even hinted');
    assert.ok(!/vejled-right">Rigtigt|vejled-wrong">Forkert/.test(text), 'none of the old answers');
    assert.ok(!/Svar afgivet|Link åbnet|Målgruppe skiftet/.test(text), 'none of the old enrolment\'s journal');
    const access = text.slice(text.indexOf('vejled-access'));
    assert.match(access, /\(cw2\)/);
    assert.ok(!access.includes('(cw1)'), 'another unit\'s reads are not shown');
    // and the admin sees everything
    const a = await admin.get(`/medarbejder/borger/${M.old.citizen_id}`);
    assert.ok(section(a.text, M.old.enrolment_id) && section(a.text, M.now.enrolment_id));
    assert.match(decodeEntities(a.text), /\(cw1\)/);
  });

  it('the new unit records on its enrolment only: the old one is 404', async () => {
    const url = `/medarbejder/borger/${M.old.citizen_id}/moede`;
    const page = await cw2.get(url);
    assert.equal(page.status, 200);
    const hidden = hiddenFields(page.text, url);
    assert.equal(hidden.forloeb, M.now.enrolment_id);
    const before = counts(s.db);
    const when = meetingNow();
    assert.equal((await cw2.post(url, { ...hidden, forloeb: M.old.enrolment_id, ...when, mundtlig: 'ja' })).status, 404);
    assert.deepEqual(counts(s.db), before);
    const ok = await cw2.post(url, { ...hidden, ...when, mundtlig: 'ja' });
    assert.equal(ok.status, 303);
    const m = (await journal(s, M.old.citizen_id)).filter((e) => e.kind === 'meeting_recorded');
    assert.deepEqual(m.map((e) => [e.enrolment_id, e.actor]), [[M.now.enrolment_id, 'cw2']]);
  });

  it('the evidence PDF holds only the reader\'s unit\'s enrolments (and is logged as a read)', async () => {
    const href = `/medarbejder/borger/${M.old.citizen_id}/dokumentation.pdf`;
    const n0 = tableCounts(s.db).access_log;
    const t1 = pdfText(s, (await cw1.get(href)).buf, 'cw1.pdf');
    const t2 = pdfText(s, (await cw2.get(href)).buf, 'cw2.pdf');
    const ta = pdfText(s, (await admin.get(href)).buf, 'admin.pdf');
    assert.equal(tableCounts(s.db).access_log, n0 + 3);
    // pdftotext drops a hyphen where it breaks a line: compare without them
    const flat = (t) => t.replace(/[\s-]+/g, '');
    const heading = (t, id) => flat(t).includes(`Forløb${id.replace(/-/g, '')}:`);
    assert.ok(heading(t1, M.old.enrolment_id) && !heading(t1, M.now.enrolment_id), 'cw1: only the old enrolment');
    // the old enrolment's own "group_changed" entry names its successor, and the new one's
    // "enrolled" its predecessor (entries are kept whole, so that their hashes verify);
    // nothing else of the other enrolment is in either
    assert.ok(!/Kontanthjælp/.test(t1) && (t1.match(/Tilmeldt —/g) || []).length === 1, 'cw1: no entry of the new enrolment');
    assert.ok(heading(t2, M.now.enrolment_id) && !heading(t2, M.old.enrolment_id), 'cw2: only the new enrolment');
    assert.ok(!/Svar afgivet|Link åbnet|Målgruppe skiftet/.test(t2), 'cw2: no entry of the old enrolment');
    assert.ok(!/Svar:/.test(t2), 'cw2: none of the old answers');
    assert.match(t1, /Svar:/, 'cw1: its own answers');
    assert.ok(heading(ta, M.old.enrolment_id) && heading(ta, M.now.enrolment_id), 'admin: both');
  });
});

describe('scope per enrolment with see_all_units = 1', () => {
  let s;
  before(async () => {
    s = await startServer({ config: ini({ staff: { see_all_units: 1 } }) });
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('every caseworker sees both enrolments of a citizen who moved, and may record on the open one', async () => {
    const M = await movedCitizen(s, 'Alle Enheder');
    assert.equal((await s.api('GET', `/api/v1/enrolments/${M.now.enrolment_id}`)).json.caseworker, 'cw2');
    for (const who of ['cw1', 'cw2']) {
      const b = await staff(s, who);
      const r = await b.get(`/medarbejder/borger/${M.old.citizen_id}`);
      assert.equal(r.status, 200);
      assert.ok(section(r.text, M.old.enrolment_id) && section(r.text, M.now.enrolment_id), who);
      assert.ok((await listed(b)).includes(`/medarbejder/borger/${M.old.citizen_id}`), who);
      const pdf = pdfText(s, (await b.get(`/medarbejder/borger/${M.old.citizen_id}/dokumentation.pdf`)).buf, `${who}.pdf`)
        .replace(/[\s-]+/g, '');
      for (const id of [M.old.enrolment_id, M.now.enrolment_id]) assert.ok(pdf.includes(id.replace(/-/g, '')), who);
    }
    // cw1 (not the new enrolment's unit) records on the new enrolment, which the form names
    const cw1 = await staff(s, 'cw1');
    const url = `/medarbejder/borger/${M.old.citizen_id}/moede`;
    const hidden = hiddenFields((await cw1.get(url)).text, url);
    assert.equal(hidden.forloeb, M.now.enrolment_id);
    const r = await cw1.post(url, { ...hidden, ...meetingNow(), mundtlig: 'nej' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/medarbejder/borger/${M.old.citizen_id}?gemt=moede&forloeb=${M.now.enrolment_id}`);
    assert.equal((await s.api('GET', `/api/v1/enrolments/${M.now.enrolment_id}`)).json.meeting.recorded_by, 'cw1');
  });
});

describe('a new link by letter from the citizen page', () => {
  let s;
  let cw1;
  let cw2;
  let L;
  const outbox = () => path.join(s.dir, 'outbox');
  before(async () => {
    s = await startServer();
    cw1 = await staff(s, 'cw1');
    cw2 = await staff(s, 'cw2');
    L = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: '2031-04-01T09:00:00Z' }, 'Lise Linkløs');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  const page = async (b = cw1) => b.get(`/medarbejder/borger/${L.citizen_id}`);
  const linkFacts = (html) => decodeEntities(html.slice(html.indexOf('vejled-link'), html.indexOf('</dl>', html.indexOf('vejled-link'))));

  it('shows the link\'s state: not opened, opened (Copenhagen time), expired', async () => {
    let facts = linkFacts((await page()).text);
    assert.match(facts, /Status<\/dt><dd><strong class="vejled-link-not_opened">Ikke åbnet/);
    assert.match(facts, /Åbnet første gang<\/dt><dd>Aldrig/);
    assert.match(facts, new RegExp(`Udløber</dt><dd>${HUMAN_TIME}`));
    // the link counts as opened when the citizen's browser comes back with its session
    const citizen = new Browser(s);
    const opened = await citizen.get(L.path);
    assert.equal(opened.status, 303);
    assert.equal((await citizen.get(opened.headers.location)).status, 200);
    facts = linkFacts((await page()).text);
    assert.match(facts, /vejled-link-opened">Åbnet</);
    assert.match(facts, new RegExp(`Åbnet første gang</dt><dd>${HUMAN_TIME}`));
    sqlite(s.db, `UPDATE enrolments SET token_expires_at = ${nowSeconds() - 86400} WHERE uuid = '${L.enrolment_id}'`);
    facts = linkFacts((await page()).text);
    assert.match(facts, /vejled-link-expired">Link udløbet/);
    assert.match(facts, new RegExp(`Udløb</dt><dd>${HUMAN_TIME}`));
    const gone = await s.request('GET', L.path);
    assert.ok([404, 410].includes(gone.status), `expired link: ${gone.status}`);
  });

  it('another unit cannot issue one, a form without CSRF is refused: nothing written', async () => {
    const before = counts(s.db);
    const csrf2 = formCsrf((await cw2.get('/medarbejder/borgere')).text, '/medarbejder/borgere');
    const r = await cw2.post(`/medarbejder/borger/${L.citizen_id}/nyt-link`, { csrf: csrf2, forloeb: L.enrolment_id });
    assert.equal(r.status, 404);
    assert.equal((await cw1.post(`/medarbejder/borger/${L.citizen_id}/nyt-link`, { forloeb: L.enrolment_id })).status, 403);
    const other = await enrolCitizen(s, { caseworker: 'cw1' });
    const before2 = counts(s.db);
    const csrf1 = hiddenFields((await page()).text, `/medarbejder/borger/${L.citizen_id}/nyt-link`).csrf;
    // another citizen's enrolment under this citizen's address
    assert.equal((await cw1.post(`/medarbejder/borger/${L.citizen_id}/nyt-link`, { csrf: csrf1, forloeb: other.enrolment_id })).status, 404);
    assert.equal((await cw1.post(`/medarbejder/borger/${L.citizen_id}/nyt-link`, { csrf: csrf1 })).status, 404);
    assert.equal((await cw1.get(`/medarbejder/borger/${L.citizen_id}/nyt-link`)).status, 405);
    assert.deepEqual(counts(s.db), before2);
    assert.ok(before.enrolments < before2.enrolments);
  });

  it('issues a new link: journalled by the caseworker, a letter carries it, the old link stops working, the page never shows it', async () => {
    // the citizen's link expired (previous test); the caseworker sends a new one
    const view = await page();
    const form = hiddenFields(view.text, `/medarbejder/borger/${L.citizen_id}/nyt-link`);
    assert.equal(form.forloeb, L.enrolment_id);
    const jobsBefore = Number(sqlite(s.db, "SELECT count(*) FROM jobs WHERE kind = 'send_new_link'").trim());
    const r = await cw1.post(`/medarbejder/borger/${L.citizen_id}/nyt-link`, form);
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(r.headers.location, `/medarbejder/borger/${L.citizen_id}?gemt=link&forloeb=${L.enrolment_id}`);
    const issued = (await journal(s, L.citizen_id)).filter((e) => e.kind === 'link_issued');
    assert.equal(issued.length, 1);
    assert.equal(issued[0].actor, 'cw1');
    assert.equal(issued[0].enrolment_id, L.enrolment_id);
    assert.equal(issued[0].data.reason, 'new_link_letter');
    const job = sqlite(s.db, `SELECT j.state, j.ref, CASE WHEN j.due_at <= ${nowSeconds()} THEN 1 ELSE 0 END FROM jobs j JOIN enrolments e ON e.id = j.enrolment_id
      WHERE j.kind = 'send_new_link' AND e.uuid = '${L.enrolment_id}'`).trim();
    assert.equal(job, `pending|${issued[0].seq}|1`, 'one letter job, due at once, for that journal entry');
    assert.equal(Number(sqlite(s.db, "SELECT count(*) FROM jobs WHERE kind = 'send_new_link'").trim()), jobsBefore + 1);
    // the confirmation says what was done and shows no link
    const shown = await cw1.get(r.headers.location);
    const text = decodeEntities(shown.text);
    assert.match(text, /Der er udstedt et nyt link/);
    // channels = outbox: the letter goes to Digital Post, and the page says so
    assert.ok(text.includes('Et brev med det nye link er sat til afsendelse til borgeren i Digital Post.'), 'the letter promised where it goes');
    assert.match(text, new RegExp(`Udstedt</dt><dd>${HUMAN_TIME}`));
    assert.ok(!shown.text.includes('/v/'), 'no link on the page');
    // the new link: not expired, and not opened yet (the earlier opening was of the old one)
    const fresh = linkFacts(shown.text);
    assert.match(fresh, /vejled-link-not_opened">Ikke åbnet/, 'the new link is not opened yet');
    assert.match(fresh, new RegExp(`Nyt link udstedt</dt><dd>${HUMAN_TIME}`));
    assert.match(fresh, /Åbnet første gang siden<\/dt><dd>Aldrig/);
    assert.match(text, /Brev med nyt link: planlagt/);
    assert.match(text, /Nyt link udstedt/);
    // the scheduler sends the letter through the outbox
    const run = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]);
    assert.equal(run.status, 0, run.stderr);
    const sent = (await journal(s, L.citizen_id)).filter((e) => e.kind === 'new_link_sent');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].actor, 'scheduler');
    assert.equal(sent[0].data.channel, 'outbox');
    assert.equal(sqlite(s.db, `SELECT state FROM jobs WHERE kind = 'send_new_link' AND ref = ${issued[0].seq}`).trim(), 'done');
    const xml = fs.readFileSync(path.join(outbox(), `${sent[0].data.message_id}.xml`), 'utf8');
    const link = /<memo:url>([^<]*)<\/memo:url>/.exec(xml)[1];
    const token = new URL(link).pathname;
    assert.match(token, /^\/v\/[A-Za-z0-9_-]{24}$/);
    assert.notEqual(token, L.path);
    assert.ok(!(await journal(s, L.citizen_id)).some((e) => e.kind === 'link_issued' && e.actor === 'scheduler'),
      'the letter carries the very link the caseworker issued');
    // the new link works, the old one does not; once the citizen is back, it is opened
    const back = new Browser(s);
    const opens = await back.get(token);
    assert.equal(opens.status, 303);
    assert.equal((await back.get(opens.headers.location)).status, 200);
    const afterPage = (await page()).text;
    const after = linkFacts(afterPage);
    // before the meeting the caseworker reads what the citizen did not understand first
    const at = (h) => afterPage.indexOf(`<h3>${h}`);
    assert.ok(at('Fokusemner') > 0 && at('Fokusemner') < at('Borgerens link') &&
      at('Emner borgeren vil spørge om') < at('Borgerens link'), 'focus and asked topics before the link');
    assert.match(after, /vejled-link-opened">Åbnet/);
    assert.match(after, new RegExp(`Åbnet første gang siden</dt><dd>${HUMAN_TIME}`));
    assert.ok([404, 410].includes((await s.request('GET', L.path)).status));
    // never shown to staff: in no response but the citizen's own
    const staffSeen = s.responses.filter((x) => x.path.startsWith('/medarbejder')).map((x) => x.head + x.body.toString('utf8')).join('\n');
    assert.ok(!staffSeen.includes(token.slice(3)), 'the new token never reached a staff page');
  });

  it('a closed enrolment (group change) gets no new link', async () => {
    const ch = await s.api('PUT', `/api/v1/citizens/${L.citizen_id}/target-group`, {
      body: { target_group: 'sygedagpenge', next_meeting_at: '2031-05-01T09:00:00Z' },
    });
    assert.equal(ch.status, 201, ch.text);
    const csrf = hiddenFields((await page()).text, `/medarbejder/borger/${L.citizen_id}/nyt-link`).csrf;
    const before = counts(s.db);
    assert.equal((await cw1.post(`/medarbejder/borger/${L.citizen_id}/nyt-link`, { csrf, forloeb: L.enrolment_id })).status, 404);
    assert.deepEqual(counts(s.db), before);
    const forms = parseForms((await page()).text).filter((f) => f.action === `/medarbejder/borger/${L.citizen_id}/nyt-link`);
    assert.deepEqual(forms.map((f) => f.inputs.find((i) => i.name === 'forloeb').value), [ch.json.enrolment_id],
      'the button is offered for the open enrolment only');
    assert.equal(errorSummary((await page()).text).length, 0);
  });
});

describe('a new link where letters go by e-mail only: the page promises a letter only to a citizen e-mail can reach', () => {
  let s;
  let cw1;
  before(async () => {
    s = await startServer({
      config: ini({
        delivery: { channels: 'smtp' },
        smtp: { url: 'smtp://127.0.0.1:9', from: 'jobcenter@example.dk', allow_plain: 1 },
      }),
    });
    cw1 = await staff(s, 'cw1');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  /* Issues a new link for the enrolment on the citizen page; the page the form leads to. */
  async function newLink(e) {
    const view = await cw1.get(`/medarbejder/borger/${e.citizen_id}`);
    assert.equal(view.status, 200);
    const form = hiddenFields(view.text, `/medarbejder/borger/${e.citizen_id}/nyt-link`);
    const r = await cw1.post(`/medarbejder/borger/${e.citizen_id}/nyt-link`, form);
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const shown = await cw1.get(r.headers.location);
    assert.equal(shown.status, 200);
    return { before: decodeEntities(view.text), after: decodeEntities(shown.text), html: shown.text };
  }

  it('a citizen with an e-mail address: the letter goes by e-mail, and the page says so', async () => {
    const e = await enrolCitizen(s, { caseworker: 'cw1' }, 'Erik Emailsen');
    const { before: view, after: text } = await newLink(e);
    assert.ok(view.includes('borgeren får et brev med det nye link på e-mail'), 'the hint names e-mail');
    assert.ok(!view.includes('Digital Post'), 'not Digital Post: it is not a channel here');
    assert.ok(text.includes('Et brev med det nye link er sat til afsendelse til borgeren på e-mail.'), text);
    assert.ok(!text.includes('Der kan ikke sendes et brev'));
  });

  it('a citizen without an e-mail address: the page says plainly that no letter can be sent, and that the link must reach the citizen another way', async () => {
    const cpr = freshCpr();
    const body = enrolBody(cpr, { caseworker: 'cw1' });
    delete body.citizen.email;
    const r = await s.api('POST', '/api/v1/enrolments', { body });
    assert.equal(r.status, 201, r.text);
    const e = r.json;
    const { before: view, after: text, html } = await newLink(e);
    assert.ok(view.includes('Der kan ikke sendes et brev med et nyt link til borgeren'), 'the hint warns before the button');
    assert.ok(!view.includes('borgeren får et brev med det nye link'), 'and promises no letter');
    assert.ok(text.includes('Der er udstedt et nyt link'), 'what was done');
    assert.ok(text.includes('Der kan ikke sendes et brev med det nye link'), 'no letter, said plainly');
    assert.ok(text.includes('på en anden måde'), 'the link must reach the citizen another way');
    assert.ok(!text.includes('sat til afsendelse'), 'no letter promised');
    assert.ok(!html.includes('/v/'), 'the link is still not shown');
    // and indeed: the scheduler cannot send it
    const run = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]);
    assert.equal(run.status, 0, run.stderr);
    const state = sqlite(s.db, `SELECT j.state FROM jobs j JOIN enrolments e ON e.id = j.enrolment_id
      WHERE j.kind = 'send_new_link' AND e.uuid = '${e.enrolment_id}'`).trim();
    assert.equal(state, 'failed');
  });
});
