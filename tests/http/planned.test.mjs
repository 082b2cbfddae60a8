// A draft whose rules begin on a later day (a change in the law on 1 January, say) is
// planned instead of published: the version in force stays in force, citizens enrolled
// until then get it, and on that day the draft is published, by the scheduler's pass or by
// the day's first enrolment, whichever comes first. What is published is what the
// administrator confirmed: a draft edited after its plan was confirmed is not published on
// the day, and says so. A plan can be taken away; a draft whose rules already apply cannot
// be planned.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { cli, sqlite, startServer } from './harness.mjs';
import { addDays, human, text, today } from './days.mjs';
import { enrolCitizen, errorSummary, formCsrf, formFields, setField, staff } from './staffkit.mjs';

const one = (db, sql) => sqlite(db, sql).trim();

describe('planned publication: new rules take effect on their first day', () => {
  let s;
  let admin;
  const day0 = today();
  const day1 = addDays(day0, 1);
  // 21:30 UTC is 22:30 or 23:30 in Copenhagen: still day0; 23:30 UTC is already day1 there
  const lateOnDay0 = `${day0}T21:30:00Z`;
  const earlyOnDay1 = `${day0}T23:30:00Z`;

  before(async () => {
    s = await startServer();
    admin = await staff(s, 'admin');
  });
  after(async () => s?.stop());

  const jobsRun = (now) => {
    const r = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile, '--now', now]);
    assert.equal(r.status, 0, r.stderr);
    return r;
  };
  const published = (group) => Number(one(s.db, `SELECT p.id FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = '${group}' AND p.state = 'published'`));
  const packOf = (e) => Number(one(s.db, `SELECT pack_id FROM enrolments WHERE uuid = '${e.enrolment_id}'`));
  const state = (id) => one(s.db, `SELECT state || '|' || publish_on FROM packs WHERE id = ${id}`);

  /* The operators' gauge of plans (Prometheus): {waiting, changed, overdue}. */
  const plans = async () => {
    const m = await s.request('GET', '/metrics');
    assert.equal(m.status, 200);
    return Object.fromEntries([...m.text.matchAll(/^vejled_content_planned\{state="(\w+)"\} (\d+)$/gm)]
      .map((x) => [x[1], Number(x[2])]));
  };

  /* A new draft of group whose rules apply from day `from` (to day `to`, else without a
   * last day), one summary changed. */
  async function draftFrom(group, from, summary, to = '') {
    const page = await admin.get('/admin/pakker');
    const made = await admin.post(`/admin/pakker/${group}/kladde`, { csrf: formCsrf(page.text, `/admin/pakker/${group}/kladde`) });
    assert.equal(made.status, 303);
    const id = Number(/(\d+)$/.exec(made.headers.location)[1]);
    const packAction = `/admin/pakke/${id}`;
    const fields = formFields((await admin.get(packAction)).text, packAction);
    setField(fields, 'valid_from', from);
    setField(fields, 'valid_to', to);
    assert.equal((await admin.post(packAction, fields)).status, 303);
    await editSummary(id, summary);
    return id;
  }
  async function editSummary(id, summary) {
    const action = `/admin/pakke/${id}/video/1`;
    const fields = formFields((await admin.get(action)).text, action);
    setField(fields, 'summary_da', summary);
    assert.equal((await admin.post(action, fields)).status, 303);
  }
  /* The confirmation page, then its answer with when=… */
  async function confirm(id, when) {
    const d = await admin.get(`/admin/pakke/${id}`);
    const page = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(d.text, `/admin/pakke/${id}/udgiv`) });
    assert.equal(page.status, 200, page.text.slice(0, 400));
    const r = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(page.text, `/admin/pakke/${id}/udgiv`), confirm: 'ja', when });
    return { page, r };
  }

  let draft;
  let old;
  it('the confirmation offers both ways; planned, the version in force stays in force until the day and the scheduler publishes it on the day', async () => {
    old = published('dagpenge');
    draft = await draftFrom('dagpenge', day1, 'Reglerne fra i morgen.');
    const { page, r } = await confirm(draft, 'planlagt');
    const t = text(page.text);
    assert.match(t, new RegExp(`Hvornår skal versionen udgives\\? Reglerne i denne version gælder fra ${human(day1)}\\.`));
    assert.match(page.text, new RegExp(`name="when" value="planlagt"[^>]*>Udgiv den ${human(day1)}</button>`));
    assert.match(page.text, /name="when" value="nu"[^>]*>Ja, udgiv nu<\/button>/);
    assert.equal(r.status, 303);
    assert.equal(state(draft), `draft|${day1}`);
    assert.equal(published('dagpenge'), old, 'the version in force stays');
    assert.deepEqual(await plans(), { waiting: 1, changed: 0, overdue: 0 });
    assert.match(text((await admin.get('/admin/pakker')).text), new RegExp(`Kladden er planlagt til at blive udgivet ${human(day1)}\\. Indtil da gælder den nuværende version`));
    assert.match(text((await admin.get(`/admin/pakke/${draft}`)).text), new RegExp(`Kladden er planlagt til at blive udgivet ${human(day1)}`));

    // enrolled today: the version in force
    assert.equal(packOf(await enrolCitizen(s, { target_group: 'dagpenge' })), old);
    // the scheduler late on the day before: nothing yet
    jobsRun(lateOnDay0);
    assert.equal(state(draft), `draft|${day1}`);
    // enrolled after the evening's pass: its written guidance goes out in the day's first
    // pass, which publishes the plan first, so the letter gives the rules in force that day
    const late = await enrolCitizen(s, { target_group: 'dagpenge' });
    assert.equal(packOf(late), old);
    // early on the day: published, the old version retired
    const run = jobsRun(earlyOnDay1);
    assert.match(run.stderr, /published 1 planned content version/);
    assert.equal(state(draft), `published|${day1}`, 'the plan stays on the version as its record');
    assert.deepEqual(await plans(), { waiting: 0, changed: 0, overdue: 0 });
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${old}`), 'retired');
    assert.equal(packOf(await enrolCitizen(s, { target_group: 'dagpenge' })), draft);
    const letter = JSON.parse(one(s.db, `SELECT data FROM journal WHERE kind = 'written_guidance_sent' AND enrolment_uuid = '${late.enrolment_id}'`));
    assert.equal(letter.pack_version, Number(one(s.db, `SELECT version FROM packs WHERE id = ${draft}`)));
    // a second pass has nothing to do
    assert.doesNotMatch(jobsRun(earlyOnDay1).stderr, /planned content/);
    // a published version's plan does not change
    assert.throws(() => sqlite(s.db, `UPDATE packs SET publish_on = '' WHERE id = ${draft}`), /a published pack does not change/);
  });

  it('the day\'s first enrolment publishes a plan whose day has come before the scheduler does', async () => {
    const before = published('sygedagpenge');
    const id = await draftFrom('sygedagpenge', day1, 'Nyt fra i morgen.');
    assert.equal((await confirm(id, 'planlagt')).r.status, 303);
    // the day comes (as the server's clock cannot be moved, the plan is moved to today)
    sqlite(s.db, `UPDATE packs SET publish_on = '${day0}' WHERE id = ${id}`);
    assert.deepEqual(await plans(), { waiting: 0, changed: 0, overdue: 1 });
    // until something publishes it, the administrator's pages say that it is not published
    assert.match(text((await admin.get('/admin')).text), new RegExp(`Sygedagpenge \\(kladden\\): skulle være udgivet ${human(day0)}, men er ikke udgivet\\.`));
    const e = await enrolCitizen(s, { target_group: 'sygedagpenge' });
    assert.equal(packOf(e), id, 'the enrolment gets the new version');
    assert.equal(published('sygedagpenge'), id);
    assert.doesNotMatch(text((await admin.get('/admin')).text), /Sygedagpenge \(kladden\)/);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${before}`), 'retired');
  });

  it('a draft changed after its plan was confirmed is not published on the day and says so; the plan can be taken away', async () => {
    const inForce = published('kontanthjaelp-jobparat');
    const id = await draftFrom('kontanthjaelp-jobparat', day1, 'Første udgave.');
    assert.equal((await confirm(id, 'planlagt')).r.status, 303);
    await editSummary(id, 'Ændret bagefter.');
    const list = text((await admin.get('/admin/pakker')).text);
    assert.match(list, new RegExp(`Kladden var planlagt til at blive udgivet ${human(day1)}\\. Den er ændret, efter du bekræftede den`));
    assert.deepEqual(await plans(), { waiting: 0, changed: 1, overdue: 0 });
    jobsRun(earlyOnDay1);
    assert.equal(state(id), `draft|${day1}`, 'not published');
    assert.equal(published('kontanthjaelp-jobparat'), inForce);
    // nor by an enrolment on the day
    sqlite(s.db, `UPDATE packs SET publish_on = '${day0}' WHERE id = ${id}`);
    assert.equal(packOf(await enrolCitizen(s, { target_group: 'kontanthjaelp-jobparat' })), inForce);
    assert.equal(state(id), `draft|${day0}`);
    assert.match(text((await admin.get(`/admin/pakke/${id}`)).text), /Den er ændret, efter du bekræftede den/);
    // the start page's review list names it too, so that it is not missed
    assert.match(text((await admin.get('/admin')).text), new RegExp(`Kontanthjælp – jobparat \\(kladden\\): var planlagt til at blive udgivet ${human(day0)}, men er ændret, efter planen blev bekræftet, så den bliver ikke udgivet\\. Bekræft den igen\\. Gå til pakken`));

    // taken away: a draft again, without a plan
    const page = await admin.get('/admin/pakker');
    const r = await admin.post(`/admin/pakke/${id}/plan/fortryd`, { csrf: formCsrf(page.text, `/admin/pakke/${id}/plan/fortryd`) });
    assert.equal(r.status, 303);
    assert.equal(state(id), 'draft|');
    assert.equal(one(s.db, `SELECT publish_hash FROM packs WHERE id = ${id}`), '');
    assert.doesNotMatch(text((await admin.get('/admin/pakker')).text), /planlagt til at blive udgivet/);
    assert.doesNotMatch(text((await admin.get('/admin')).text), /Kontanthjælp – jobparat \(kladden\)/);
    // a published version has no plan to take away
    const gone = await admin.post(`/admin/pakke/${draft}/plan/fortryd`, { csrf: formCsrf(page.text, `/admin/pakke/${id}/plan/fortryd`) });
    assert.equal(gone.status, 409);
    const none = await admin.post('/admin/pakke/999999/plan/fortryd', { csrf: formCsrf(page.text, `/admin/pakke/${id}/plan/fortryd`) });
    assert.equal(none.status, 404);
    // confirmed again, it is planned again with what it holds now
    assert.equal((await confirm(id, 'planlagt')).r.status, 303);
    jobsRun(earlyOnDay1);
    assert.equal(state(id), `published|${day1}`);
  });

  it('the administrator\'s review list says when the successor of a version that ends is planned', async () => {
    const group = 'kontanthjaelp-aktivitetsparat';
    const ending = await draftFrom(group, addDays(day0, -10), 'Gælder kun 20 dage endnu.', addDays(day0, 20));
    assert.equal((await confirm(ending, 'nu')).r.status, 303);
    const ends = `Kontanthjælp – aktivitetsparat \\(Version \\d+\\): gyldigheden slutter ${human(addDays(day0, 20))} – om 20 dage\\.`;
    const next = await draftFrom(group, addDays(day0, 21), 'De nye regler.');
    assert.match(text((await admin.get('/admin')).text), new RegExp(`${ends} Gå til pakken`), 'no plan yet');
    assert.equal((await confirm(next, 'planlagt')).r.status, 303);
    const planned = new RegExp(`${ends} Den nye version er planlagt til at blive udgivet ${human(addDays(day0, 21))}\\.`);
    assert.match(text((await admin.get('/admin')).text), planned);
    assert.match(text((await admin.get('/admin/pakker')).text), planned);
    // changed since: the list no longer promises it
    await editSummary(next, 'De nye regler, rettet.');
    assert.match(text((await admin.get('/admin')).text), new RegExp(`${ends} Gå til pakken`));
  });

  it('a draft whose rules already apply cannot be planned: the confirmation has only "publish now", and a plan sent anyway is refused and changes nothing', async () => {
    const inForce = published('uddannelseshjaelp');
    const id = await draftFrom('uddannelseshjaelp', day0, 'I kraft i dag.');
    const d = await admin.get(`/admin/pakke/${id}`);
    const page = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(d.text, `/admin/pakke/${id}/udgiv`) });
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /name="when"/);
    const r = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(page.text, `/admin/pakke/${id}/udgiv`), confirm: 'ja', when: 'planlagt' });
    assert.equal(r.status, 422);
    assert.match(errorSummary(r.text).map((e) => e.text).join(' '), /Reglerne i kladden gælder allerede fra i dag/);
    assert.equal(state(id), 'draft|');
    assert.equal(published('uddannelseshjaelp'), inForce);
    // published now, as the page offers
    const now = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(page.text, `/admin/pakke/${id}/udgiv`), confirm: 'ja' });
    assert.equal(now.status, 303);
    assert.equal(state(id), 'published|');
  });

  it('a draft that is not wanted after all is deleted, its plan with it; the published version stays and the next draft is made from it', async () => {
    const group = 'ressourceforloeb';
    const inForce = published(group);
    const content = () => Object.fromEntries(['packs', 'videos', 'questions', 'options']
      .map((t) => [t, Number(one(s.db, `SELECT count(*) FROM ${t}`))]));
    const before = content();
    const waiting = (await plans()).waiting;
    const id = await draftFrom(group, day1, 'Skal ikke bruges.');
    assert.equal((await confirm(id, 'planlagt')).r.status, 303);
    assert.equal((await plans()).waiting, waiting + 1);

    const d = await admin.get(`/admin/pakke/${id}`);
    assert.match(d.text, new RegExp(`<form method="post" action="/admin/pakke/${id}/slet" id="discard">`));
    // first the confirmation: what goes, and that the version in force stays
    const page = await admin.post(`/admin/pakke/${id}/slet`, { csrf: formCsrf(d.text, `/admin/pakke/${id}/slet`) });
    assert.equal(page.status, 200);
    const t = text(page.text);
    assert.match(page.text, /<title>Slet kladden\? – /);
    assert.match(t, /Slet kladden\? Ressourceforløb, Kladde version \d+\. Kladden og alt, hvad der er ændret i den, bliver slettet\. Det kan ikke fortrydes\. Den udgivne version gælder stadig/);
    assert.match(t, new RegExp(`Kladden var planlagt til at blive udgivet ${human(day1)}\\. Den bliver ikke udgivet\\.`));
    assert.equal(state(id), `draft|${day1}`, 'nothing changes before it is confirmed');

    const r = await admin.post(`/admin/pakke/${id}/slet`, { csrf: formCsrf(page.text, `/admin/pakke/${id}/slet`), confirm: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/admin/pakker?slettet=1');
    assert.match(text((await admin.get(r.headers.location)).text), /Kladden er slettet\. Den udgivne version er ikke ændret\./);
    assert.deepEqual(content(), before, 'the draft with its videos, questions and options');
    assert.equal(published(group), inForce);
    assert.equal((await plans()).waiting, waiting);
    jobsRun(earlyOnDay1);
    assert.equal(published(group), inForce, 'nothing published on its day');
    // it is gone; a published version is never deleted
    const csrf = formCsrf(page.text, `/admin/pakke/${id}/slet`);
    assert.equal((await admin.post(`/admin/pakke/${id}/slet`, { csrf, confirm: 'ja' })).status, 404);
    for (const body of [{ csrf }, { csrf, confirm: 'ja' }]) {
      assert.equal((await admin.post(`/admin/pakke/${inForce}/slet`, body)).status, 409);
    }
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${inForce}`), 'published');

    // the next draft is the version in force again, with the deleted one's number
    const list = await admin.get('/admin/pakker');
    const made = await admin.post(`/admin/pakker/${group}/kladde`, { csrf: formCsrf(list.text, `/admin/pakker/${group}/kladde`) });
    assert.equal(made.status, 303);
    const next = Number(/(\d+)$/.exec(made.headers.location)[1]);
    assert.equal(one(s.db, `SELECT count(*) FROM videos v JOIN packs p ON p.id = v.pack_id WHERE p.id = ${next} AND v.summary_da = 'Skal ikke bruges.'`), '0');
    assert.equal(one(s.db, `SELECT count(*) FROM videos WHERE pack_id = ${next}`), one(s.db, `SELECT count(*) FROM videos WHERE pack_id = ${inForce}`));
  });

  it('a correction while a plan waits is made beside the plan and published now: the confirmation says the plan does not get it, the planned draft and the review list say so, a second plan is refused, and the plan still comes on its day', async () => {
    const group = 'ledighedsydelse';
    const inForce = published(group);
    const planned = await draftFrom(group, day1, 'Nye regler fra i morgen.');
    assert.equal((await confirm(planned, 'planlagt')).r.status, 303);
    const plannedVersion = Number(one(s.db, `SELECT version FROM packs WHERE id = ${planned}`));
    // the pack list offers a correction beside the plan, and says what it is
    const list = await admin.get('/admin/pakker');
    assert.match(text(list.text), /En rettelse, der skal gælde nu, laves i en kladde for sig og udgives med det samme\. Den planlagte version får den ikke med af sig selv\. Lav en rettelse af den udgivne version/);
    const made = await admin.post(`/admin/pakker/${group}/kladde`, { csrf: formCsrf(list.text, `/admin/pakker/${group}/kladde`) });
    assert.equal(made.status, 303);
    const fix = Number(/(\d+)$/.exec(made.headers.location)[1]);
    assert.notEqual(fix, planned, 'a draft of its own');
    assert.equal(one(s.db, `SELECT count(*) FROM videos WHERE pack_id = ${fix} AND summary_da = 'Nye regler fra i morgen.'`), '0', 'made from the version in force');
    await editSummary(fix, 'Rettet stavefejl.');
    const warning = new RegExp(`Version ${plannedVersion} er planlagt til at blive udgivet den ${human(day1)}\\. Den får ikke denne rettelse med af sig selv\\. Lav rettelsen også i den planlagte kladde, ellers forsvinder den den dag\\.`);
    assert.match(text((await admin.get(`/admin/pakke/${fix}`)).text), warning);
    // the planned draft was made, and its plan confirmed, a while before the correction
    sqlite(s.db, `UPDATE packs SET created_at = created_at - 60, publish_confirmed_at = publish_confirmed_at - 60 WHERE id = ${planned}`);
    const { page, r } = await confirm(fix, 'nu');
    assert.match(text(page.text), warning);
    assert.equal(r.status, 303);
    assert.equal(published(group), fix);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${inForce}`), 'retired');
    assert.equal(state(planned), `draft|${day1}`, 'the plan waits on');
    // the planned draft and the review list say that it may lack the correction, until
    // the plan is confirmed again
    const fixVersion = Number(one(s.db, `SELECT version FROM packs WHERE id = ${fix}`));
    const behind = new RegExp(`Version ${fixVersion} blev udgivet den [^,]+, efter at planen for denne kladde blev bekræftet\\. Lav dens ændringer også her, hvis de ikke allerede er med, og bekræft planen igen\\.`);
    const review = new RegExp(`Ledighedsydelse \\(kladden\\): er planlagt til at blive udgivet ${human(day1)}, men version ${fixVersion} blev udgivet den [^,]+, efter planen blev bekræftet\\. Lav dens ændringer også i den planlagte kladde, hvis de ikke er med, og bekræft planen igen\\.`);
    assert.match(text((await admin.get(`/admin/pakke/${planned}`)).text), behind);
    assert.match(text((await admin.get('/admin')).text), review);
    assert.match(text((await admin.get('/admin/pakker')).text), review);
    await editSummary(planned, 'Nye regler fra i morgen. Rettet stavefejl.');
    const again = await confirm(planned, 'planlagt');
    assert.equal(again.r.status, 303);
    assert.doesNotMatch(text((await admin.get(`/admin/pakke/${planned}`)).text), behind);
    assert.doesNotMatch(text((await admin.get('/admin')).text), /Ledighedsydelse \(kladden\)/);

    // one plan per group: another draft whose rules begin tomorrow is offered "now" only,
    // and a plan sent anyway is refused and changes nothing
    const second = await draftFrom(group, day1, 'En plan mere.');
    const d = await admin.get(`/admin/pakke/${second}`);
    const confirmation = await admin.post(`/admin/pakke/${second}/udgiv`, { csrf: formCsrf(d.text, `/admin/pakke/${second}/udgiv`) });
    assert.equal(confirmation.status, 200);
    assert.doesNotMatch(confirmation.text, /value="planlagt"/);
    const refused = await admin.post(`/admin/pakke/${second}/udgiv`, { csrf: formCsrf(confirmation.text, `/admin/pakke/${second}/udgiv`), confirm: 'ja', when: 'planlagt' });
    assert.equal(refused.status, 422);
    assert.match(errorSummary(refused.text).map((e) => e.text).join(' '), /Målgruppen har allerede en planlagt version\. Der kan kun være én plan ad gangen/);
    assert.equal(state(second), 'draft|');
    assert.equal(state(planned), `draft|${day1}`);

    // its day: the plan is published as confirmed
    jobsRun(earlyOnDay1);
    assert.equal(published(group), planned);
  });
});
