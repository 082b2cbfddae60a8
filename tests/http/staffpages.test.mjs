// The staff pages as a caseworker reads them: the list's flags and score, the filters
// folded away until used.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Browser, csrfOf, databaseBefore, decodeEntities, freshCpr, isPgDb, nowIso, parseForms, sqlite, startServer } from './harness.mjs';
import { addUser, citizenAnswers, enrolCitizen, formCsrf, hiddenFields, ini, staff } from './staffkit.mjs';

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

  it('one clear score: "N af M svar rigtige", and the focus labels as separate list items', async () => {
    const r = await cw1.get('/medarbejder/borgere');
    const row = rowOf(r.text, done.citizen_id);
    const total = Number(sqlite(s.db, `SELECT count(*) FROM questions q JOIN videos v ON v.id = q.video_id
      JOIN enrolments e ON e.pack_id = v.pack_id WHERE e.uuid = '${done.enrolment_id}'`).trim());
    const right = Number(sqlite(s.db, `SELECT count(*) FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
      WHERE e.uuid = '${done.enrolment_id}' AND a.correct = 1 AND a.attempt = 1`).trim());
    const answered = Number(sqlite(s.db, `SELECT count(*) FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
      WHERE e.uuid = '${done.enrolment_id}' AND a.attempt = 1`).trim());
    assert.match(row, new RegExp(`${right} af ${answered} svar rigtige \\(${total - answered} ikke besvaret\\)`));
    const html = r.text.slice(r.text.indexOf(`/medarbejder/borger/${done.citizen_id}`));
    const cell = html.slice(0, html.indexOf('</tr>'));
    // each label names its topics: what the citizen got wrong at the first attempt, and asked about
    const topics = (sql) => sqlite(s.db, sql).split('\n').filter(Boolean);
    const wrong = topics(`SELECT DISTINCT q.topic_da FROM answers a JOIN questions q ON q.id = a.question_id
      JOIN enrolments e ON e.id = a.enrolment_id WHERE e.uuid = '${done.enrolment_id}' AND a.attempt = 1 AND a.correct = 0`);
    const asked = topics(`SELECT DISTINCT q.topic_da FROM asked_topics t JOIN questions q ON q.id = t.question_id
      JOIN enrolments e ON e.id = t.enrolment_id WHERE e.uuid = '${done.enrolment_id}'`);
    assert.ok(wrong.length > 0 && asked.length > 0);
    const m = /<ul class="vejled-focus-list"><li class="vejled-focus">Fokusemner: ([^<]+)<\/li><li class="vejled-asked">Har spørgsmål: ([^<]+)<\/li><\/ul>/.exec(cell);
    assert.ok(m, cell);
    assert.deepEqual(decodeEntities(m[1]).split(', ').sort(), [...wrong].sort(), 'each wrong topic once');
    assert.deepEqual(decodeEntities(m[2]).split(', ').sort(), [...asked].sort());
  });

  it("the citizen page says the score the same way as the list, plainly", async () => {
    const list = await cw1.get('/medarbejder/borgere');
    const listed = rowOf(list.text, done.citizen_id);
    const m = /(\d+) af (\d+) svar rigtige \((\d+) ikke besvaret\)/.exec(listed);
    assert.ok(m, listed);
    // right answers are counted of those given, and what is left is said beside them
    const [correct, answered] = sqlite(s.db, `SELECT sum(a.correct) || ' ' || count(*) FROM answers a
      JOIN enrolments e ON e.id = a.enrolment_id WHERE e.uuid = '${done.enrolment_id}' AND a.attempt = 1`).trim().split(' ');
    assert.deepEqual([m[1], m[2]], [correct, answered]);
    const r = await cw1.get(`/medarbejder/borger/${done.citizen_id}`);
    const dd = /<dt>Svar<\/dt><dd>([^<]*)<\/dd>/.exec(r.text);
    assert.ok(dd, 'the score has its line');
    // "3 af 12 rigtige (4 besvaret)" mixed right and answered: now as in the list
    assert.equal(decodeEntities(dd[1]), `${m[1]} af ${m[2]} svar rigtige (${m[3]} ikke besvaret)`);
    // a citizen with no answer yet has no score that reads as all wrong
    assert.match(rowOf(list.text, far.citizen_id), / Ingen svar endnu /);
    assert.doesNotMatch(rowOf(list.text, far.citizen_id), /rigtige|ikke besvaret/);
    const farPage = await cw1.get(`/medarbejder/borger/${far.citizen_id}`);
    assert.equal(/<dt>Svar<\/dt><dd>([^<]*)<\/dd>/.exec(farPage.text)[1], 'Ingen svar endnu');
    // the list's column is "Svar" too, not "Rigtige svar" above "… rigtige"
    assert.match(list.text, /<th scope="col">Svar<\/th>/);
    assert.doesNotMatch(decodeEntities(list.text), /Rigtige svar/);
  });

  it('the answers shown are the first attempt\'s, and a wrong one answered right later says so (the API gives attempts and latest_correct)', async () => {
    const later = await enrolCitizen(s, { first_meeting_at: '2031-01-01T09:00:00Z' }, 'Senere Rigtigsen');
    const b = await citizenAnswers(s, later); // the first options: some wrong
    const page = await b.get('/borger/video/1');
    const form = parseForms(page.text).find((f) => f.action === '/borger/video/1');
    const right = new Set(sqlite(s.db, 'SELECT id FROM options WHERE correct = 1').split('\n').filter(Boolean));
    const fields = form.inputs.filter((i) => i.type === 'hidden').map((i) => [i.name, i.value]);
    for (const i of form.inputs) if (/^q\d+$/.test(i.name) && right.has(i.value)) fields.push([i.name, i.value]);
    assert.equal((await b.post('/borger/video/1', fields)).status, 303);
    const api = (await s.api('GET', `/api/v1/enrolments/${later.enrolment_id}`)).json;
    const qs = api.videos[0].questions;
    const wrongFirst = qs.filter((q) => q.correct === false);
    assert.ok(wrongFirst.length > 0, 'some first answers were wrong');
    for (const q of qs) {
      assert.equal(q.attempts, 2);
      assert.equal(q.latest_correct, true);
    }
    assert.ok(api.videos[1].questions.every((q) => q.attempts === 0 && q.latest_correct === null));
    const html = decodeEntities((await cw1.get(`/medarbejder/borger/${later.citizen_id}`)).text);
    assert.match(html, /<h3>Svar \(første forsøg\)<\/h3>/);
    assert.equal((html.match(/\(senere svaret rigtigt\)/g) || []).length, wrongFirst.length);
  });

  it('a citizen who would rather hear it at the meeting is flagged for oral guidance on the list and the page, until the meeting is recorded', async () => {
    const flag = 'Vil hellere høre det til mødet – giv vejledningen mundtligt';
    const d = await enrolCitizen(s, { first_meeting_at: '2031-02-01T09:00:00Z' }, 'Fravalgt Mundtligsen');
    const b = new Browser(s);
    assert.equal((await b.get(d.path)).status, 303);
    const page = await b.get('/borger/fravalg');
    assert.equal((await b.post('/borger/fravalg', { csrf: csrfOf(page.text) })).status, 303);
    const list = await cw1.get('/medarbejder/borgere');
    assert.ok(rowOf(list.text, d.citizen_id).includes(flag), rowOf(list.text, d.citizen_id));
    assert.ok(!rowOf(list.text, done.citizen_id).includes(flag), 'not on one who answered');
    assert.ok(decodeEntities((await cw1.get(`/medarbejder/borger/${d.citizen_id}`)).text).includes(flag));
    const met = await s.api('POST', `/api/v1/enrolments/${d.enrolment_id}/meeting`, { body: { held_at: nowIso(), oral_guidance: true } });
    assert.equal(met.status, 200, met.text);
    assert.ok(!rowOf((await cw1.get('/medarbejder/borgere')).text, d.citizen_id).includes(flag), 'gone once the meeting is recorded');
    assert.ok(!decodeEntities((await cw1.get(`/medarbejder/borger/${d.citizen_id}`)).text).includes(flag));
  });

  it('the citizen page gives the CPR number masked (birth date, then ****), never whole; none once purged', async () => {
    const r = await cw1.get(`/medarbejder/borger/${far.citizen_id}`);
    const masked = `${far.cpr.slice(0, 6)}-****`;
    assert.ok(r.text.includes(`<p class="vejled-cpr" id="cpr">CPR-nummer: <span class="vejled-nowrap">${masked}</span></p>`), 'the masked number under the name');
    assert.ok(!r.text.includes(far.cpr) && !r.text.includes(`${far.cpr.slice(0, 6)}-${far.cpr.slice(6)}`), 'never the whole number');
    // a citizen whose sealed number cannot be opened (as after a purge, or a damaged box): no line
    const damaged = isPgDb(s.db) ? "'\\x00'::bytea" : "X'00'";
    sqlite(s.db, `UPDATE citizens SET cpr_box = ${damaged} WHERE uuid = '${expired.citizen_id}'`);
    const gone = await cw1.get(`/medarbejder/borger/${expired.citizen_id}`);
    assert.equal(gone.status, 200);
    assert.doesNotMatch(gone.text, /id="cpr"/);
  });

  it('"Kun mine" lists only the citizens whose caseworker the user is; the unit\'s list has the others too', async () => {
    assert.equal(addUser(s, 'cw-kollega', 'caseworker', 'team-nord').status, 0);
    const theirs = await enrolCitizen(s, { caseworker: 'cw-kollega' }, 'Kollegas Borger');
    const all = await cw1.get('/medarbejder/borgere');
    assert.ok(all.text.includes(`/medarbejder/borger/${theirs.citizen_id}`), 'the unit sees the colleague\'s citizen');
    assert.match(all.text, /<input class="form-checkbox" type="checkbox" id="mine" name="mine" value="1">/);
    const mine = await cw1.get('/medarbejder/borgere?mine=1');
    assert.equal(mine.status, 200);
    assert.ok(!mine.text.includes(`/medarbejder/borger/${theirs.citizen_id}`), 'not among mine');
    for (const e of [soon, far, done]) assert.ok(mine.text.includes(`/medarbejder/borger/${e.citizen_id}`), e.citizen_id);
    assert.match(mine.text, /id="mine" name="mine" value="1" checked>/);
    assert.match(mine.text, /<details class="vejled-filters" open>/, 'the filters stay open while one is in use');
    // on the unit's list a colleague's citizen says whose it is; the reader's own do not
    const row = (html, e) => {
      const at = html.indexOf(`/medarbejder/borger/${e.citizen_id}`);
      return html.slice(html.lastIndexOf('<tr', at), html.indexOf('</tr>', at));
    };
    assert.match(row(all.text, theirs), /<span class="vejled-caseworker">Sagsbehandler: cw-kollega<\/span>/);
    for (const e of [soon, far, done]) assert.doesNotMatch(row(all.text, e), /vejled-caseworker/, e.citizen_id);
  });

  it('"Fokus" is said once for the same thing: the column is "Emner til mødet", the label "Fokusemner"', async () => {
    const list = await cw1.get('/medarbejder/borgere');
    const html = list.text.slice(list.text.indexOf('<table'), list.text.indexOf('</table>'));
    assert.match(html, /<th scope="col">Emner til mødet<\/th>/);
    // the cell of a citizen with focus topics, with its label for a phone's card
    const cell = /<td data-label="([^"]*)"><ul class="vejled-focus-list">([\s\S]*?)<\/ul><\/td>/.exec(html);
    assert.ok(cell, html.slice(0, 500));
    assert.equal(decodeEntities(cell[1]), 'Emner til mødet');
    assert.equal((decodeEntities(`${cell[1]} ${cell[2]}`).match(/Fokus/g) || []).length, 1, 'one "Fokus" per cell');
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

describe('units as a list', () => {
  let s, admin;
  before(async () => {
    s = await startServer();
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  const unitsOf = () => sqlite(s.db, "SELECT name || ':' || disabled FROM units ORDER BY name").trim().split('\n');

  it('the units named by accounts are on the list', () => {
    assert.deepEqual(unitsOf(), ['jobcenter:0', 'team-nord:0', 'team-syd:0']);
  });

  it('migration 0015 turns the free-text units of an existing database into the list', () => {
    const old = databaseBefore('0015');
    try {
      const { db } = old;
      sqlite(db, `INSERT INTO users(username, role, unit, password_hash, created_at) VALUES
        ('a', 'caseworker', 'team-b', '', 1), ('b', 'caseworker', 'team-a', '', 1),
        ('c', 'caseworker', 'team-a', '', 1), ('d', 'admin', '', '', 1);
        INSERT INTO staff_sessions(id_hash, user_id, created_at, last_seen_at, expires_at) VALUES ('h', 1, 1, 1, 2);`);
      old.apply('0015');
      assert.deepEqual(sqlite(db, 'SELECT name FROM units ORDER BY name').trim().split('\n'), ['team-a', 'team-b']);
      assert.equal(sqlite(db, "SELECT lang FROM staff_sessions WHERE id_hash = 'h'").trim(), 'da');
    } finally {
      old.cleanup();
    }
  });

  it("the user form's unit is a select of the units; an unknown unit is refused with nothing changed", async () => {
    const page = await admin.get('/admin/brugere');
    assert.match(page.text, /<select class="form-select" id="unit" name="unit"/);
    assert.match(page.text, /<option value="team-nord">team-nord<\/option>/);
    assert.doesNotMatch(page.text, /<input[^>]*id="unit"/);
    const csrf = formCsrf(page.text, '/admin/brugere');
    const before = sqlite(s.db, 'SELECT count(*) FROM users').trim();
    const r = await admin.post('/admin/brugere', {
      csrf, username: 'cw7', display_name: 'Syv', role: 'caseworker', unit: 'team-nrod', password: 'new-user-password-1',
    });
    assert.equal(r.status, 422);
    assert.match(decodeEntities(r.text), /Vælg en enhed fra listen/);
    assert.equal(sqlite(s.db, 'SELECT count(*) FROM users').trim(), before);
    // editing an account: the same
    const cw1 = sqlite(s.db, "SELECT id FROM users WHERE username = 'cw1'").trim();
    const up = await admin.get(`/admin/brugere/${cw1}`);
    assert.match(up.text, /<option value="team-nord" selected>team-nord<\/option>/);
    const e = await admin.post(`/admin/brugere/${cw1}`, {
      csrf: formCsrf(up.text, `/admin/brugere/${cw1}`), action: 'save', display_name: 'X', role: 'caseworker', unit: 'nowhere',
    });
    assert.equal(e.status, 422);
    assert.equal(sqlite(s.db, `SELECT unit || '/' || display_name FROM users WHERE id = ${cw1}`).trim(), 'team-nord/Demo Sagsbehandler Nord');
  });

  it('an administrator adds, renames (accounts follow) and disables a unit', async () => {
    let page = await admin.get('/admin/enheder');
    assert.equal(page.status, 200);
    let csrf = formCsrf(page.text, '/admin/enheder');
    let r = await admin.post('/admin/enheder', { csrf, name: 'team-vest' });
    assert.equal(r.status, 303);
    assert.deepEqual(unitsOf(), ['jobcenter:0', 'team-nord:0', 'team-syd:0', 'team-vest:0']);
    // a taken or malformed name: an error, nothing changed
    r = await admin.post('/admin/enheder', { csrf, name: 'team-vest' });
    assert.equal(r.status, 422);
    assert.match(decodeEntities(r.text), /Der er allerede en enhed med det navn/);
    r = await admin.post('/admin/enheder', { csrf, name: 'Team Vest!' });
    assert.equal(r.status, 422);
    assert.deepEqual(unitsOf(), ['jobcenter:0', 'team-nord:0', 'team-syd:0', 'team-vest:0']);
    // rename: the accounts in it move with it, so nobody loses their citizens
    const nord = sqlite(s.db, "SELECT id FROM units WHERE name = 'team-nord'").trim();
    r = await admin.post(`/admin/enheder/${nord}`, { csrf, action: 'rename', name: 'team-nordjylland' });
    assert.equal(r.status, 303);
    assert.equal(sqlite(s.db, "SELECT unit FROM users WHERE username = 'cw1'").trim(), 'team-nordjylland');
    r = await admin.post(`/admin/enheder/${nord}`, { csrf, action: 'rename', name: 'team-syd' });
    assert.equal(r.status, 422);
    assert.equal(sqlite(s.db, "SELECT unit FROM users WHERE username = 'cw1'").trim(), 'team-nordjylland');
    // a CPR number as a unit's name: refused on adding and renaming, and not written back
    const cprName = `team-${freshCpr()}`;
    for (const [where, fields] of [['/admin/enheder', { csrf, name: cprName }],
      [`/admin/enheder/${nord}`, { csrf, action: 'rename', name: cprName }]]) {
      r = await admin.post(where, fields);
      assert.equal(r.status, 422, where);
      assert.match(decodeEntities(r.text), /Navnet må ikke indeholde et CPR-nummer/);
      assert.ok(!r.text.includes(cprName), `${where}: the CPR number is not in the page`);
    }
    assert.equal(sqlite(s.db, "SELECT unit FROM users WHERE username = 'cw1'").trim(), 'team-nordjylland');
    // a disabled unit is no longer offered for new accounts, nor accepted
    const vest = sqlite(s.db, "SELECT id FROM units WHERE name = 'team-vest'").trim();
    r = await admin.post(`/admin/enheder/${vest}`, { csrf, action: 'disable' });
    assert.equal(r.status, 303);
    page = await admin.get('/admin/brugere');
    assert.doesNotMatch(page.text, /<option value="team-vest"/);
    csrf = formCsrf(page.text, '/admin/brugere');
    r = await admin.post('/admin/brugere', {
      csrf, username: 'cw8', role: 'caseworker', unit: 'team-vest', password: 'new-user-password-1',
    });
    assert.equal(r.status, 422);
    assert.equal(sqlite(s.db, "SELECT count(*) FROM users WHERE username = 'cw8'").trim(), '0');
    r = await admin.post('/admin/brugere', {
      csrf, username: 'cw8', role: 'caseworker', unit: 'team-syd', password: 'new-user-password-1',
    });
    assert.equal(r.status, 303);
    assert.equal(sqlite(s.db, "SELECT unit FROM users WHERE username = 'cw8'").trim(), 'team-syd');
  });

  it('a caseworker cannot reach the units page', async () => {
    const cw = await staff(s, 'cw2');
    assert.equal((await cw.get('/admin/enheder')).status, 403);
  });
});

describe('the staff pages in English', () => {
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

  it('the switch sets the language for the rest of the session, and back', async () => {
    const cw = await staff(s, 'cw1');
    let page = await cw.get('/medarbejder/borgere?status=not_opened');
    assert.match(page.text, /<html lang="da" dir="ltr">/);
    assert.match(page.text, /Mine borgere/);
    const f = hiddenFields(page.text, '/medarbejder/sprog');
    assert.deepEqual([f.lang, f.back], ['en', '/medarbejder/borgere']);
    let r = await cw.post('/medarbejder/sprog', f);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/medarbejder/borgere');
    page = await cw.get('/medarbejder/borgere');
    assert.match(page.text, /<html lang="en" dir="ltr">/);
    assert.match(page.text, /My citizens/);
    assert.match(page.text, /\d+ of \d+ answers right|No answers yet/);
    assert.doesNotMatch(page.text, /Mine borgere|rigtige/);
    // another session of the same user is still Danish: the choice is the session's
    const other = await staff(s, 'cw1');
    assert.match((await other.get('/medarbejder/borgere')).text, /<html lang="da" dir="ltr">/);
    // a foreign back address is not followed; an unknown language is refused
    r = await cw.post('/medarbejder/sprog', { ...hiddenFields(page.text, '/medarbejder/sprog'), back: '//evil.example/x' });
    assert.equal(r.headers.location, '/medarbejder');
    r = await cw.post('/medarbejder/sprog', { ...hiddenFields(page.text, '/medarbejder/sprog'), lang: 'xx' });
    assert.equal(r.status, 400);
    assert.match((await cw.get('/medarbejder/borgere')).text, /<html lang="da" dir="ltr">/, 'the first switch went back to Danish');
  });
});

/** The fields of the form posting to action as [name, value] pairs (checked boxes only). */
function formFields(html, action) {
  const start = html.indexOf(`action="${action}"`);
  assert.ok(start > 0, `a form posting to ${action}`);
  const part = html.slice(start, html.indexOf('</form>', start));
  const out = [];
  for (const m of part.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    const name = /\bname="([^"]*)"/.exec(tag);
    if (!name) continue;
    const type = (/\btype="([^"]*)"/.exec(tag) || [])[1] || 'text';
    if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/.test(tag)) continue;
    if (type === 'file') continue;
    out.push([name[1], decodeEntities((/\bvalue="([^"]*)"/.exec(tag) || [])[1] || '')]);
  }
  for (const m of part.matchAll(/<textarea\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) {
    out.push([m[1], decodeEntities(m[2])]);
  }
  return out;
}

function setField(fields, name, value) {
  const i = fields.findIndex(([n]) => n === name);
  assert.ok(i >= 0, `the form has a field ${name}`);
  fields[i] = [name, value];
  return fields;
}

describe('content editing: every language, LIX, publishing with a confirmation', () => {
  let s, admin, draftId;
  const one = (sql) => sqlite(s.db, sql).trim();
  before(async () => {
    s = await startServer();
    admin = await staff(s, 'admin');
    const page = await admin.get('/admin/pakker');
    const r = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(page.text, '/admin/pakker/dagpenge/kladde') });
    assert.equal(r.status, 303);
    draftId = Number(/^\/admin\/pakke\/(\d+)$/.exec(r.headers.location)[1]);
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  const q1 = () => `SELECT q.id FROM questions q JOIN videos v ON v.id = q.video_id
    WHERE v.pack_id = ${draftId} AND v.position = 1 AND q.position = 1`;

  it("an existing question's English texts can be edited and are kept", async () => {
    const action = `/admin/pakke/${draftId}/video/1`;
    const page = await admin.get(action);
    assert.equal(page.status, 200);
    for (const f of ['summary_en', 'q1_text_en', 'q1_topic_en', 'q1_explanation_en', 'q1_o1_en']) {
      assert.match(page.text, new RegExp(`name="${f}"`), f);
    }
    const fields = formFields(page.text, action);
    setField(fields, 'q1_text_en', 'What does being available mean?');
    setField(fields, 'q1_explanation_en', 'Being available means you can start a job from one day to the next.');
    setField(fields, 'q1_o1_en', 'Only looking for work in your own trade');
    setField(fields, 'summary_en', 'What being available means when you get dagpenge.');
    // a browser sends a textarea's line breaks as CRLF: stored as they were (LF), so an
    // unchanged transcript is no change
    const transcript = one(`SELECT transcript_da FROM videos WHERE pack_id = ${draftId} AND position = 1`);
    assert.ok(transcript.includes('\n'));
    setField(fields, 'transcript_da', transcript.replace(/\n/g, '\r\n'));
    const r = await admin.post(action, fields);
    assert.equal(r.status, 303, r.text.slice(0, 400));
    assert.equal(one(`SELECT text_en FROM questions WHERE id = (${q1()})`), 'What does being available mean?');
    assert.equal(one(`SELECT explanation_en FROM questions WHERE id = (${q1()})`), 'Being available means you can start a job from one day to the next.');
    assert.equal(one(`SELECT text_en FROM options WHERE question_id = (${q1()}) AND position = 1`), 'Only looking for work in your own trade');
    assert.equal(one(`SELECT summary_en FROM videos WHERE pack_id = ${draftId} AND position = 1`), 'What being available means when you get dagpenge.');
    // the form shows them again
    const again = await admin.get(action);
    assert.match(again.text, /value="Only looking for work in your own trade"/);
    assert.match(again.text, />What does being available mean\?<\/textarea>/);
  });

  it("shows each Danish text's LIX, and warns above 40", async () => {
    const action = `/admin/pakke/${draftId}/video/1`;
    let page = await admin.get(action);
    assert.match(page.text, /<p class="vejled-lix" id="transcript_da-lix">LIX \d+: let at læse\.<\/p>/);
    assert.doesNotMatch(page.text, /vejled-lix-warn/);
    const hard = 'Arbejdsløshedsforsikringen administreres af arbejdsløshedskasserne under betydelig '
      + 'myndighedskontrol. Ansøgningen behandles individuelt efter gældende lovgivning.';
    const fields = setField(formFields(page.text, action), 'q1_explanation', hard);
    const r = await admin.post(action, fields);
    assert.equal(r.status, 303);
    page = await admin.get(action);
    assert.match(page.text, /<p class="vejled-lix vejled-lix-warn" id="q1_explanation-lix">LIX 83: svær at læse \(over 40\)\./);
    assert.match(page.text, /aria-describedby="q1_explanation-lix"/);
    // the written guidance on the draft page too
    const draft = await admin.get(`/admin/pakke/${draftId}`);
    assert.match(draft.text, /id="guidance_da-lix">LIX \d+/);
  });

  it('publishing asks for confirmation and shows the difference from the published version, field by field', async () => {
    const page = await admin.get(`/admin/pakke/${draftId}`);
    const csrf = formCsrf(page.text, `/admin/pakke/${draftId}/udgiv`);
    const r = await admin.post(`/admin/pakke/${draftId}/udgiv`, { csrf });
    assert.equal(r.status, 200);
    assert.equal(one(`SELECT state FROM packs WHERE id = ${draftId}`), 'draft', 'nothing is published yet');
    const text = decodeEntities(r.text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' '));
    assert.match(text, /Udgiv – tjek ændringerne/);
    assert.match(text, /Video 1, spørgsmål 1: Spørgsmål \(engelsk\) Før What does it mean to be available for work\? Nu What does being available mean\?/);
    assert.match(text, /Video 1, spørgsmål 1: Forklaring \(dansk\) Før At stå til rådighed betyder[^]*? Nu Arbejdsløshedsforsikringen administreres/);
    assert.match(text, /Video 1, spørgsmål 1, svarmulighed 1: Svarmulighed \(engelsk\)/);
    assert.doesNotMatch(text, /Video 2/, 'video 2 is unchanged');
    assert.doesNotMatch(text, /Tekstversion \(dansk\)/, 'the transcript sent back with CRLF is unchanged');
    // the confirmation form publishes
    const f = Object.fromEntries(formFields(r.text, `/admin/pakke/${draftId}/udgiv`));
    assert.equal(f.confirm, 'ja');
    const pub = await admin.post(`/admin/pakke/${draftId}/udgiv`, f);
    assert.equal(pub.status, 303);
    assert.equal(one(`SELECT state FROM packs WHERE id = ${draftId}`), 'published');
  });
});

/* The words a person reads on a page (its main), with a bar where one element ends and
 * another begins, so that a heading and a cell are never taken for one phrase. */
function readText(html) {
  const main = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
  return decodeEntities(main.replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<span class="sr-only">[^<]*<\/span>/g, '')
    .replace(/<\/?(li|td|th|p|h\d|dt|dd|div|option|label|caption|summary|legend|button|a)\b[^>]*>/g, ' | ')
    .replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ');
}
/* "Udgivet, udgivet": a word said twice in a row within one element (not across the end of
 * a sentence: "… mistet det. Det gamle …"). */
function doubled(text) {
  return [...text.matchAll(/(?<!\p{L})(\p{L}{3,})(?:[ ,:;–-]+)\1(?!\p{L})/giu)].map((m) => m[0]);
}

describe('the staff and admin pages say nothing twice', () => {
  let s;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('the pack versions: "Udgivet <date>", "Trukket tilbage <date> (udgivet <date>)", not "Udgivet, udgivet"', async () => {
    const admin = await staff(s, 'admin');
    let page = await admin.get('/admin/pakker');
    const dp = () => decodeEntities(/<section class="vejled-packs" aria-labelledby="g-dagpenge">([\s\S]*?)<\/section>/.exec(page.text)[1].replace(/<span class="sr-only">[^<]*<\/span>/g, '').replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ');
    assert.match(dp(), /Version 1: Udgivet \d+\. \p{L}+ \d{4} kl\. \d\d\.\d\d – \d+ forløb/u);
    assert.deepEqual(doubled(readText(page.text)), []);
    // a new version published: the old one retired, its dates each said once
    const r = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(page.text, '/admin/pakker/dagpenge/kladde') });
    const id = Number(/(\d+)$/.exec(r.headers.location)[1]);
    const draft = await admin.get(`/admin/pakke/${id}`);
    const fields = hiddenFields(draft.text, `/admin/pakke/${id}`);
    const form = /<form method="post" action="\/admin\/pakke\/\d+" [\s\S]*?<\/form>/.exec(draft.text)[0];
    for (const m of form.matchAll(/<textarea\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[m[1]] = decodeEntities(m[2]);
    for (const m of form.matchAll(/<input\b[^>]*\bname="([^"]*)"[^>]*\bvalue="([^"]*)"[^>]*>/g)) if (!(m[1] in fields)) fields[m[1]] = decodeEntities(m[2]);
    fields.guidance_da = 'En ny skriftlig vejledning.';
    assert.equal((await admin.post(`/admin/pakke/${id}`, fields)).status, 303);
    const csrf = formCsrf((await admin.get(`/admin/pakke/${id}`)).text, `/admin/pakke/${id}/udgiv`);
    assert.equal((await admin.post(`/admin/pakke/${id}/udgiv`, { csrf, confirm: 'ja' })).status, 303);
    page = await admin.get('/admin/pakker');
    assert.match(dp(), /Version 1: Trukket tilbage \d+\. \p{L}+ \d{4} kl\. [\d.]+ \(udgivet \d+\. \p{L}+ \d{4} kl\. [\d.]+\) – \d+ forløb/u);
    assert.match(dp(), /Version 2: Udgivet \d+\. \p{L}+ \d{4} kl\. [\d.]+ – \d+ forløb/u);
    assert.deepEqual(doubled(readText(page.text)), []);
  });

  it('no word twice in a row on the caseworker\'s and the administrator\'s pages', async () => {
    const e = await enrolCitizen(s, { caseworker: 'cw1' }, 'Dobbelt Ordsen');
    await citizenAnswers(s, e);
    const cw = await staff(s, 'cw1');
    const admin = await staff(s, 'admin');
    const pages = [[cw, '/medarbejder/borgere'], [cw, `/medarbejder/borger/${e.citizen_id}`],
      [cw, `/medarbejder/borger/${e.citizen_id}/moede?forloeb=${e.enrolment_id}`],
      [cw, '/medarbejder/traening'], [cw, '/medarbejder/traening/dagpenge'],
      [admin, '/admin'], [admin, '/admin/brugere'], [admin, '/admin/brugere/2'], [admin, '/admin/enheder'],
      [admin, '/admin/grupper'], [admin, '/admin/noegler'], [admin, '/admin/pakker'], [admin, '/admin/statistik'],
      [admin, `/admin/adgangslog/${e.citizen_id}`]];
    for (const [who, p] of pages) {
      const r = await who.get(p);
      assert.equal(r.status, 200, p);
      assert.deepEqual(doubled(readText(r.text)), [], p);
    }
  });
});
