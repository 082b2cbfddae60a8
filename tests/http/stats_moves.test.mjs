// The statistics when things move: a target-group change dated back, and a unit renamed.
// Through the real binary and the real API and staff pages, checked against README
// "Statistics: definitions" and server/domain/stats.h, and against `vejled stats --verify`
// (the recount from the base tables).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { cli, enrolBody, freshCpr, sleep, sqlite, startServer } from './harness.mjs';
import { formCsrf, staff } from './staffkit.mjs';

const iso = (sec) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nowSec = () => Math.floor(Date.now() / 1000);
/* The Copenhagen calendar date of a UTC time (seconds), YYYY-MM-DD. */
const localDate = (sec) => new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit',
}).format(new Date(sec * 1000));

async function enrol(s, overrides = {}) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), overrides) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

describe('a group change dated back (changed_at) and caseworker uptake', () => {
  let s;
  before(async () => {
    s = await startServer({ demo: true });
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  // README: "A group change ... counts from changed_at ...: the old enrolment is closed and
  // the new one made at changed_at". Caseworker uptake: "meetings held (recorded) in the
  // period where staff opened the citizen's answers — the citizen page ... — after the
  // enrolment was made and before the meeting".  A caseworker who read the citizen page
  // after the change took effect (but before the case system told vejled about it) read
  // the new enrolment's citizen after that enrolment was made: the recount counts it, so
  // the aggregates must too, although the access log's trigger saw the read before the
  // new enrolment's row existed.
  it('a read after changed_at and before the meeting counts for the new enrolment; --verify agrees', async () => {
    assert.equal(cli(['stats', '--db', s.db, '--verify']).status, 0, 'the aggregates agree before');
    const es = [];
    for (let i = 0; i < 5; i++) es.push(await enrol(s, { caseworker: 'cw1' }));
    const created = es.map((e) => Number(sqlite(s.db,
      `SELECT created_at FROM enrolments WHERE uuid = '${e.enrolment_id}'`).trim()));
    await sleep(1500);
    // the caseworker reads each citizen's page (answers shown): an access-log row
    const cw = await staff(s, 'cw1');
    for (const e of es) {
      const r = await cw.get(`/medarbejder/borger/${e.citizen_id}`);
      assert.equal(r.status, 200);
    }
    await sleep(1100);
    // the case system reports the group change that took effect a second after each
    // enrolment, i.e. before the read
    const held = nowSec() + 86400 - 600; // tomorrow (Copenhagen), recorded as held
    const fresh = [];
    for (let i = 0; i < es.length; i++) {
      const r = await s.api('PUT', `/api/v1/citizens/${es[i].citizen_id}/target-group`, {
        body: { target_group: 'sygedagpenge', changed_at: iso(created[i] + 1), next_meeting_at: iso(held) },
      });
      assert.equal(r.status, 201, r.text);
      fresh.push(r.json);
    }
    for (const e of fresh) {
      const m = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, {
        body: { held_at: iso(held), oral_guidance: true, note: '' },
      });
      assert.equal(m.status, 200, m.text);
    }
    const day = localDate(held);
    const api = (await s.api('GET', `/api/v1/stats?from=${day}&to=${day}`)).json;
    const sd = api.target_groups.find((g) => g.target_group === 'sygedagpenge');
    assert.equal(sd.meetings_held, 5);
    // every one of the 5 was read after its enrolment was made (changed_at) and before
    // its meeting: 5 of 5
    const v = cli(['stats', '--db', s.db, '--verify']);
    assert.equal(sd.answers_viewed_before_meeting, 5,
      `caseworker uptake: ${sd.answers_viewed_before_meeting} of 5 (rate ${sd.rates.caseworker_uptake}); ` +
      `vejled stats --verify: ${v.status} ${v.stderr.trim()}`);
    assert.equal(v.status, 0, `the aggregates agree with a recount: ${v.stderr}`);
  });
});

describe('a renamed unit', () => {
  let s;
  before(async () => {
    s = await startServer({ demo: true });
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  // stats.h: "per unit (the unit of the enrolment's caseworker when the enrolment was
  // made)"; README: "so that a quarter's figures do not move when someone changes team".
  // Units are data (/admin/enheder, rename: "the accounts in the unit move with it").  The
  // statistics are kept under the unit's name, so a renamed unit's figures move to its new
  // name, and a unit that takes the old name later does not inherit them.
  it('a renamed unit keeps its figures under its new name; two units never share a row', async () => {
    const today = localDate(nowSec());
    const unitsNow = async () => (await s.api('GET', `/api/v1/stats?from=${today}&to=${today}`)).json.units;
    for (let i = 0; i < 5; i++) await enrol(s, { caseworker: 'cw1' }); // team-nord
    const nordBefore = (await unitsNow()).find((u) => u.unit === 'team-nord').enrolled;
    assert.ok(nordBefore >= 5);
    const sydBefore = (await unitsNow()).find((u) => u.unit === 'team-syd')?.enrolled ?? 0;
    const admin = await staff(s, 'admin');
    const page = await admin.get('/admin/enheder');
    const csrf = formCsrf(page.text, '/admin/enheder');
    const id = (name) => sqlite(s.db, `SELECT id FROM units WHERE name = '${name}'`).trim();
    const nord = id('team-nord');
    const syd = id('team-syd');
    let r = await admin.post(`/admin/enheder/${nord}`, { csrf, action: 'rename', name: 'team-nordjylland' });
    assert.equal(r.status, 303);
    r = await admin.post(`/admin/enheder/${syd}`, { csrf, action: 'rename', name: 'team-nord' });
    assert.equal(r.status, 303);
    assert.equal(sqlite(s.db, "SELECT unit FROM users WHERE username = 'cw2'").trim(), 'team-nord');
    // cw2's unit (the former team-syd, now named team-nord) enrols 5
    for (let i = 0; i < 5; i++) await enrol(s, { caseworker: 'cw2' });
    const units = await unitsNow();
    const shown = JSON.stringify(units.map((u) => [u.unit, u.enrolled]));
    assert.equal(units.find((u) => u.unit === 'team-nord').enrolled, sydBefore + 5,
      `the row "team-nord" holds the unit now called so (formerly team-syd), not also the ${nordBefore} ` +
      `of the unit now called team-nordjylland: ${shown}`);
    assert.equal(units.find((u) => u.unit === 'team-nordjylland').enrolled, nordBefore, `the renamed unit's figures moved with it: ${shown}`);
    assert.ok(!units.some((u) => u.unit === 'team-syd'), `no row under a name no unit has: ${shown}`);
    const v = cli(['stats', '--db', s.db, '--verify']);
    assert.equal(v.status, 0, `the aggregates agree with a recount: ${v.stderr}`);
  });
});
