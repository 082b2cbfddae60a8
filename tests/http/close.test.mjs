// A citizen who leaves the target group without moving to another one (found work, say) is
// no longer guided about it: the case system closes the enrolment, its pending letters are
// cancelled (no resend six months on), its link and the citizen's session stop working, and
// the journal says why. Bad input changes nothing; a closed enrolment cannot be closed again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Browser, cli, enrolBody, freshCpr, jobsList, sleep, sqlite, startServer, tableCounts } from './harness.mjs';
import { enrolCitizen, pdfText, staff } from './staffkit.mjs';
import { readyCitizen } from './answers.mjs';

let s;

const iso = (sec) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
const one = (sql) => sqlite(s.db, sql).trim();
const text = (html) => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');

describe('closing an enrolment: the citizen left the target group', () => {
  before(async () => {
    s = await startServer({ config: '[api]\nmax_clock_skew_s = 60\n' });
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('bad input is refused, naming the field, and changes nothing; an unknown enrolment is 404', async () => {
    const e = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: '2030-03-01T09:00:00Z' });
    const began = Number(one(`SELECT created_at FROM enrolments WHERE uuid = '${e.enrolment_id}'`));
    const close = (body) => s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/close`, { body });
    const before = tableCounts(s.db);
    const pending = jobsList(s.db, e.enrolment_id).filter((j) => j.state === 'pending').length;
    for (const [body, code, field] of [
      [{}, 'invalid_reason', 'reason'],
      [{ reason: 'holiday' }, 'invalid_reason', 'reason'],
      [{ reason: 7 }, 'invalid_reason', 'reason'],
      [{ reason: 'job', closed_at: 'yesterday' }, 'invalid_time', 'closed_at'],
      [{ reason: 'job', closed_at: iso(began - 1) }, 'invalid_time', 'closed_at'],
      [{ reason: 'job', closed_at: iso(Math.floor(Date.now() / 1000) + 3600) }, 'invalid_time', 'closed_at'],
    ]) {
      const r = await close(body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, code, JSON.stringify(body));
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    const notJson = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/close`, { body: [] });
    assert.equal(notJson.status, 422);
    assert.equal(notJson.json.error.code, 'invalid_body');
    const missing = await s.api('POST', '/api/v1/enrolments/00000000-0000-4000-8000-000000000000/close', { body: { reason: 'job' } });
    assert.equal(missing.status, 404);
    assert.deepEqual(tableCounts(s.db), before);
    assert.equal(one(`SELECT coalesce(closed_at, 0) FROM enrolments WHERE uuid = '${e.enrolment_id}'`), '0');
    assert.equal(jobsList(s.db, e.enrolment_id).filter((j) => j.state === 'pending').length, pending);
  });

  it('closed: its jobs are cancelled and no resend goes out, the link and the session stop working, the journal and the caseworker\'s page say why; closing again is 409', async () => {
    const e = await enrolCitizen(s, { caseworker: 'cw1', first_meeting_at: '2030-03-01T09:00:00Z' });
    // the citizen had opened the link: that session stops working too
    const citizen = new Browser(s);
    assert.equal((await citizen.get(e.path)).status, 303);
    assert.equal((await citizen.get('/borger')).status, 200);
    const pending = jobsList(s.db, e.enrolment_id).filter((j) => j.state === 'pending');
    assert.ok(pending.some((j) => j.kind === 'resend_written_guidance'), 'a resend was planned');

    const r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/close`, { body: { reason: 'job' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'closed');
    assert.ok(r.json.closed_at, 'closed_at is given');
    assert.ok(jobsList(s.db, e.enrolment_id).every((j) => j.state !== 'pending'), 'no job is left pending');

    const j = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
    const last = j.json.entries.at(-1);
    assert.equal(last.kind, 'enrolment_closed');
    assert.equal(last.actor, 'api');
    assert.equal(last.enrolment_id, e.enrolment_id);
    assert.equal(last.data.reason, 'job');
    assert.equal(last.data.closed_at, r.json.closed_at);
    assert.equal(last.data.jobs_cancelled, pending.length);

    // seven months on, nothing is sent for it
    const sentBefore = Number(one('SELECT count(*) FROM deliveries'));
    const run = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile, '--now', '2030-10-01T09:00:00Z']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(Number(one(`SELECT count(*) FROM deliveries d JOIN jobs j ON j.id = d.job_id JOIN enrolments e ON e.id = j.enrolment_id WHERE e.uuid = '${e.enrolment_id}' AND j.kind = 'resend_written_guidance'`)), 0);
    assert.ok(Number(one('SELECT count(*) FROM deliveries')) >= sentBefore);

    // the link and the citizen's session no longer open anything; the link's page says
    // that the guidance has ended, not how to get a new link (a group change's old link,
    // whose successor came by letter, does)
    assert.notEqual((await citizen.get('/borger')).status, 200, 'the session is dead');
    const dead = await new Browser(s).get(e.path);
    assert.equal(dead.status, 410);
    const said = text(dead.text);
    assert.match(dead.text, /<title>Du skal ikke se videoerne mere/);
    assert.match(said, /Jobcentret har lukket dit link, fordi du ikke længere skal have denne vejledning\. Du skal ikke gøre mere her\. Det, du har svaret, er gemt\./);
    assert.match(said, /Du kan altid kontakte jobcentret/);
    assert.doesNotMatch(said, /nyt link|dit møde/);
    const moved = await enrolCitizen(s, { caseworker: 'cw1' });
    const change = await s.api('PUT', `/api/v1/citizens/${moved.citizen_id}/target-group`, { body: { target_group: 'sygedagpenge', next_meeting_at: '2030-05-01T09:00:00Z' } });
    assert.equal(change.status, 201, change.text);
    const replaced = await new Browser(s).get(moved.path);
    assert.equal(replaced.status, 410);
    assert.match(text(replaced.text), /Sådan får du et nyt link/);
    const movedPage = await (await staff(s, 'cw1')).get(`/medarbejder/borger/${moved.citizen_id}`);
    assert.match(movedPage.text, /<dt>Afsluttet<\/dt><dd>[^<]+ – Målgruppe skiftet<\/dd>/);
    // the citizen app reading with the link token is told the same: 410, not "sign in";
    // a group change's old token is only refused (the citizen has a newer link)
    const token = (p) => p.split('/').pop();
    const app = await s.request('GET', '/api/v1/me', { headers: { Authorization: `Bearer ${token(e.path)}` } });
    assert.equal(app.status, 410, app.text);
    assert.equal(app.json.error.code, 'enrolment_closed');
    assert.equal(app.headers['www-authenticate'], undefined);
    const old = await s.request('GET', '/api/v1/me', { headers: { Authorization: `Bearer ${token(moved.path)}` } });
    assert.equal(old.status, 401);
    assert.equal(old.json.error.code, 'unauthorized');
    // closed while the citizen goes on in another group: refused, not "ended"
    const cpr = freshCpr();
    const two = [];
    for (const g of ['dagpenge', 'sygedagpenge']) {
      const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(cpr, { target_group: g }) });
      assert.equal(r.status, 201, r.text);
      two.push(token(new URL(r.json.link).pathname));
      if (two.length === 1) {
        const c = await s.api('POST', `/api/v1/enrolments/${r.json.enrolment_id}/close`, { body: { reason: 'other' } });
        assert.equal(c.status, 200, c.text);
        // closed with nothing open after it: 410 until the second enrolment comes
        assert.equal((await s.request('GET', '/api/v1/me', { headers: { Authorization: `Bearer ${two[0]}` } })).status, 410);
      }
    }
    const first = await s.request('GET', '/api/v1/me', { headers: { Authorization: `Bearer ${two[0]}` } });
    assert.equal(first.status, 401, first.text);
    assert.equal((await s.request('GET', '/api/v1/me', { headers: { Authorization: `Bearer ${two[1]}` } })).status, 200);
    // in English too
    const english = await new Browser(s).get(`${e.path}?sprog=en`);
    assert.equal(english.status, 410);
    assert.match(text(english.text), /The job centre has closed your link, because you no longer need this guidance\./);

    // the caseworker's page says why
    const cw = await staff(s, 'cw1');
    const page = await cw.get(`/medarbejder/borger/${e.citizen_id}`);
    assert.equal(page.status, 200);
    assert.match(text(page.text), /Forløbet afsluttet: borgeren er kommet i arbejde/);
    // among the enrolment's facts, when and why
    assert.match(page.text, /<dt>Afsluttet<\/dt><dd>\d+\. [a-z]+ \d{4} kl\. \d\d\.\d\d – Forløbet afsluttet: borgeren er kommet i arbejde<\/dd>/);
    // and so does the evidence document
    const pdf = await cw.get(`/medarbejder/borger/${e.citizen_id}/dokumentation.pdf`);
    assert.equal(pdf.status, 200);
    assert.match(pdfText(s, pdf.buf, 'closed.pdf').replace(/\s+/g, ' '), /Forløbet afsluttet: borgeren er kommet i arbejde/);

    // again: 409, nothing more journalled; a meeting cannot be recorded on it
    const again = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/close`, { body: { reason: 'other' } });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'enrolment_closed');
    const meeting = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, { body: { held_at: iso(Math.floor(Date.now() / 1000)), oral_guidance: true } });
    assert.equal(meeting.status, 409);
    const after = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
    assert.equal(after.json.entries.length, j.json.entries.length);
  });

  it('closed before its first meeting, it is not among the first meetings passed; closed after it, it still is', async () => {
    // six enrolments whose first meeting is two seconds ahead (six, so that the count is
    // shown before and after: counts under 5 are hidden); once it has passed, one is closed
    // as of before it (a time the case system gives), another as of now
    const t = Math.ceil(Date.now() / 1000);
    const meetingAt = iso(t + 2);
    const six = [];
    for (let i = 0; i < 6; i++) six.push(await enrolCitizen(s, { target_group: 'sygedagpenge', first_meeting_at: meetingAt }));
    const [early, late] = six;
    const began = Number(one(`SELECT created_at FROM enrolments WHERE uuid = '${early.enrolment_id}'`));
    assert.ok(began < t + 2, 'enrolled before the meeting');
    while (Date.now() / 1000 < t + 3) await sleep(200);
    const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
    const passed = async () => {
      const st = await s.api('GET', `/api/v1/stats?from=${day(-1)}&to=${day(1)}`);
      assert.equal(st.status, 200, st.text);
      return st.json.target_groups.find((g) => g.target_group === 'sygedagpenge').first_meetings_passed;
    };
    const before = await passed();
    assert.ok(before >= 6, `the six meetings passed: ${before}`);
    let r = await s.api('POST', `/api/v1/enrolments/${late.enrolment_id}/close`, { body: { reason: 'education' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await passed(), before, 'closed after its meeting: it still counts');
    r = await s.api('POST', `/api/v1/enrolments/${early.enrolment_id}/close`, { body: { reason: 'moved', closed_at: iso(began) } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await passed(), before - 1, 'closed before its meeting: it does not');
  });
  it('answers under way when the enrolment is closed are not recorded: the citizen gets the closed session\'s page, and the journal ends with the close', async () => {
    // the group commit holds a submission up to a second for company: the close comes first
    const w = await startServer({ config: '[database]\nbatch_wait_us = 1000000\n' });
    try {
      const c = await readyCitizen(w);
      const began = Date.now();
      const answering = c.browser.post('/borger/video/1', c.fields);
      await sleep(300);
      const closed = await w.api('POST', `/api/v1/enrolments/${c.enrolment}/close`, { body: { reason: 'job' } });
      assert.equal(closed.status, 200, closed.text);
      const res = await answering;
      assert.equal(res.status, 403, res.text.slice(0, 300));
      // it was refused inside the writer's transaction after waiting for its batch, not by
      // the session check before it (which a close that came first would also give)
      assert.ok(Date.now() - began >= 700, `the answers waited for their batch: ${Date.now() - began} ms`);
      const kinds = (await w.api('GET', `/api/v1/citizens/${c.citizen}/journal`)).json.entries.map((x) => x.kind);
      assert.equal(kinds[kinds.length - 1], 'enrolment_closed', kinds.join(' '));
      assert.ok(!kinds.includes('answers_submitted'), kinds.join(' '));
      assert.equal(sqlite(w.db, `SELECT count(*) FROM answers a JOIN enrolments e ON e.id = a.enrolment_id
        WHERE e.uuid = '${c.enrolment}'`).trim(), '0');
    } finally {
      await w.cleanup();
    }
  });
});
