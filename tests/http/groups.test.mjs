// Target groups are data an administrator manages: a new group (as a change in the law
// makes them) is added on the groups page, switched off; it gets an empty first draft, is
// filled and published in the editor, and only then can be switched on, after which the
// case system enrols citizens in it. Its names are edited on the same page. Bad input is
// refused with the error summary and changes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, ROOT, cli, decodeEntities, enrolBody, freshCpr, sqlite, startServer, tableCounts } from './harness.mjs';
import { addDays, human, today } from './days.mjs';
import {
  enrolCitizen, errorSummary, formCsrf, formFields, ini, postMultipart, setField, staff,
} from './staffkit.mjs';

const one = (db, sql) => sqlite(db, sql).trim();
const text = (html) => decodeEntities(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ');
/* every table's row count but the access log's */
const counts = (s) => {
  const c = tableCounts(s.db);
  delete c.access_log;
  return c;
};

/* A folder for `vejled packs load` under server s's folder (captions copied): the demo's
 * dagpenge pack as the pack of group (its translations left out), not yet written; the
 * file it goes to is packs/<group.slug>.json. */
function packFolder(s, name, group) {
  const dir = path.join(s.dir, name);
  fs.mkdirSync(path.join(dir, 'packs'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'db', 'demo', 'captions'), path.join(dir, 'captions'), { recursive: true });
  const pack = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
  pack.group = group;
  delete pack.translations;
  return { dir, pack, file: path.join(dir, 'packs', `${group.slug}.json`) };
}

const SLUG = 'selvforsoergelse-ny';
const VTT = 'WEBVTT\n\n00:00.000 --> 00:02.000\nHej\n';

describe('target groups as data: a new one added, filled, published and switched on by the administrator', () => {
  let s;
  let admin;

  before(async () => {
    s = await startServer({ config: ini({ content: { media_dir: '{dir}/media' } }) });
    fs.mkdirSync(path.join(s.dir, 'media'));
    fs.writeFileSync(path.join(s.dir, 'media', 'ny-gruppe.mp4'), 'not really a film');
    fs.writeFileSync(path.join(s.dir, 'media', 'ny-gruppe.webm'), 'not really a film either');
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  const newGroup = async (fields) => {
    const page = await admin.get('/admin/grupper');
    assert.equal(page.status, 200);
    return admin.post('/admin/grupper', { csrf: formCsrf(page.text, '/admin/grupper'), ...fields });
  };
  /* Fills group draft id (empty, as a new group's first one is) with a video, a question and
   * two answers, its rules from day `from` when given. */
  async function fillFirstDraft(id, from, media = 'ny-gruppe.mp4') {
    const draftPage = `/admin/pakke/${id}`;
    const fields = formFields((await admin.get(draftPage)).text, draftPage);
    setField(fields, 'guidance_da', 'Du får selvforsørgelsesydelse. Her er dine rettigheder og pligter.');
    setField(fields, 'legal_basis', 'Lov om aktiv socialpolitik');
    if (from) setField(fields, 'valid_from', from);
    assert.equal((await admin.post(draftPage, fields)).status, 303);
    const vnew = `${draftPage}/video/ny`;
    const r = await postMultipart(admin, vnew, [
      { name: 'csrf', value: formCsrf((await admin.get(vnew)).text, vnew) }, { name: 'title_da', value: 'Dine pligter' },
      { name: 'title_en', value: '' }, { name: 'summary_da', value: '' }, { name: 'media', value: media },
      { name: 'captions_da', value: VTT }, { name: 'captions_en', value: '' }, { name: 'transcript_da', value: 'Du skal stå til rådighed.' },
      { name: 'transcript_en', value: '' },
    ]);
    assert.equal(r.status, 303, r.text.slice(0, 400));
    const qnew = `${draftPage}/video/1/spoergsmaal/ny`;
    const q = await admin.post(qnew, {
      csrf: formCsrf((await admin.get(qnew)).text, qnew), text_da: 'Hvad skal du?', kind: 'single', topic_da: 'Rådighed', explanation_da: 'Fordi.',
    });
    assert.equal(q.status, 303, q.text.slice(0, 400));
    const onew = `${draftPage}/video/1/spoergsmaal/1/svar/ny`;
    const ocsrf = formCsrf((await admin.get(onew)).text, onew);
    assert.equal((await admin.post(onew, { csrf: ocsrf, text_da: 'Stå til rådighed', right: 'ja' })).status, 303);
    assert.equal((await admin.post(onew, { csrf: ocsrf, text_da: 'Ingenting' })).status, 303);
  }

  const good = { slug: SLUG, name_da: 'Selvforsørgelses- og hjemrejseydelse', name_en: 'Self-support and repatriation benefit', resend_months: '6' };

  it('a bad short name, a taken one, a missing or too long name or a bad interval is refused, naming the field; nothing is stored', async () => {
    const before = counts(s);
    for (const [change, field, message] of [
      [{ slug: 'Ny Gruppe' }, 'new_slug', /små bogstaver a–z/],
      [{ slug: '' }, 'new_slug', /små bogstaver a–z/],
      [{ slug: 'a'.repeat(64) }, 'new_slug', /højst 63 tegn/],
      [{ slug: 'dagpenge' }, 'new_slug', /allerede en målgruppe med det korte navn/],
      [{ name_da: '' }, 'new_name_da', /^Skriv målgruppens navn på dansk$/],
      [{ name_da: 'æ'.repeat(201) }, 'new_name_da', /højst 200 tegn/],
      [{ name_en: 'two\nlines' }, 'new_name_en', /på én linje/],
      // a name of spaces would show as none; a tab is no part of a one-line name
      [{ name_da: '   ' }, 'new_name_da', /ikke kun mellemrum/],
      [{ name_en: ' ' }, 'new_name_en', /på én linje/],
      [{ name_da: 'Selvforsørgelse\tny' }, 'new_name_da', /på én linje/],
      [{ resend_months: '0' }, 'new_resend', /fra 1 til 60/],
    ]) {
      const r = await newGroup({ ...good, ...change });
      assert.equal(r.status, 422, JSON.stringify(change));
      const sum = errorSummary(r.text);
      assert.deepEqual(sum.map((e) => e.field), [field], JSON.stringify(change));
      assert.match(sum[0].text, message);
      // the form shows what was sent
      const sent = Object.fromEntries(formFields(r.text, '/admin/grupper'));
      assert.equal(sent.slug, { ...good, ...change }.slug);
      assert.deepEqual(counts(s), before);
    }
    // an empty form: every field that needs one is named at once
    const r = await newGroup({ slug: '', name_da: '', name_en: '', resend_months: '' });
    assert.equal(r.status, 422);
    assert.deepEqual(errorSummary(r.text).map((e) => e.field), ['new_slug', 'new_name_da', 'new_resend']);
    assert.deepEqual(counts(s), before);
  });

  it('a new group is added switched off, says it has no content, and is not yet open to the case system', async () => {
    const r = await newGroup(good);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/admin/grupper?oprettet=${SLUG}#ny`);
    const page = await admin.get(r.headers.location.replace(/#.*$/, '')); // a browser sends no fragment
    const t = text(page.text);
    assert.match(t, /Målgruppen »Selvforsørgelses- og hjemrejseydelse« er oprettet\. Den er slået fra, indtil den har udgivet indhold\./);
    assert.match(page.text, new RegExp(`href="/admin/pakker#g-${SLUG}"`));
    assert.match(t, new RegExp(`Kort navn: ${SLUG} · intet udgivet indhold endnu`));
    assert.equal(one(s.db, `SELECT enabled || '|' || resend_months || '|' || name_en FROM target_groups WHERE slug = '${SLUG}'`),
      '0|6|Self-support and repatriation benefit');
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { target_group: SLUG }) });
    assert.equal(e.status, 422);
    assert.equal(e.json.error.code, 'target_group_disabled');
    // the pages that list groups take one without content in their stride
    for (const [p, status] of [['/medarbejder/traening', 200], [`/medarbejder/traening/${SLUG}`, 404], ['/admin/statistik', 200],
      ['/admin/pakker', 200], ['/admin', 200], ['/medarbejder/borgere', 200]]) {
      assert.equal((await admin.get(p)).status, status, p);
    }
  });

  it('it cannot be switched on before it has published content; its names are edited, and a bad name changes nothing', async () => {
    const action = `/admin/grupper/${SLUG}`;
    let fields = formFields((await admin.get('/admin/grupper')).text, action);
    setField(fields, 'enabled', 'ja');
    let r = await admin.post(action, fields);
    assert.equal(r.status, 422);
    const sum = errorSummary(r.text);
    assert.deepEqual(sum.map((e) => e.field), [`enabled-${SLUG}`]);
    assert.match(sum[0].text, /kan ikke slås til, før den har udgivet indhold/);
    assert.equal(one(s.db, `SELECT enabled FROM target_groups WHERE slug = '${SLUG}'`), '0');

    fields = formFields((await admin.get('/admin/grupper')).text, action);
    setField(fields, 'name_da', '');
    r = await admin.post(action, fields);
    assert.equal(r.status, 422);
    assert.deepEqual(errorSummary(r.text).map((e) => e.field), [`name_da-${SLUG}`]);
    assert.equal(one(s.db, `SELECT name_da FROM target_groups WHERE slug = '${SLUG}'`), good.name_da);

    // both names bad: both are named, each linking to its input; nothing changes
    setField(fields, 'name_da', '  ');
    setField(fields, 'name_en', 'two\nlines');
    r = await admin.post(action, fields);
    assert.equal(r.status, 422);
    const both = errorSummary(r.text).map((e) => e.field);
    assert.deepEqual(both, [`name_da-${SLUG}`, `name_en-${SLUG}`]);
    for (const id of both) assert.match(r.text, new RegExp(`<input[^>]* id="${id}"`), id);
    assert.equal(one(s.db, `SELECT name_da || '|' || name_en FROM target_groups WHERE slug = '${SLUG}'`), `${good.name_da}|${good.name_en}`);

    // names at their limit of 200 characters, each of four bytes of UTF-8 (twelve sent): taken,
    // not refused for the size of the form (the new group's form: below)
    const long = '𝔄'.repeat(200);
    const full = formFields((await admin.get('/admin/grupper')).text, action);
    setField(full, 'name_da', long);
    setField(full, 'name_en', long);
    r = await admin.post(action, full);
    assert.equal(r.status, 303);
    assert.equal(one(s.db, `SELECT name_en FROM target_groups WHERE slug = '${SLUG}'`), long);

    setField(fields, 'name_en', good.name_en);
    setField(fields, 'name_da', 'Selvforsørgelsesydelse');
    setField(fields, 'resend_months', '12');
    r = await admin.post(action, fields);
    assert.equal(r.status, 303);
    assert.equal(one(s.db, `SELECT name_da || '|' || resend_months || '|' || enabled FROM target_groups WHERE slug = '${SLUG}'`), 'Selvforsørgelsesydelse|12|0');
    // the other groups' forms without names (a page from before) keep their names
    const dp = formFields((await admin.get('/admin/grupper')).text, '/admin/grupper/dagpenge').filter(([n]) => !n.startsWith('name_'));
    const before = one(s.db, "SELECT name_da || '|' || name_en FROM target_groups WHERE slug = 'dagpenge'");
    assert.equal((await admin.post('/admin/grupper/dagpenge', dp)).status, 303);
    assert.equal(one(s.db, "SELECT name_da || '|' || name_en FROM target_groups WHERE slug = 'dagpenge'"), before);
    // a name stored before today's rules (blank), and such a form: named, not a failure
    sqlite(s.db, "UPDATE target_groups SET name_da = '   ' WHERE slug = 'jobafklaring'");
    const jf = formFields((await admin.get('/admin/grupper')).text, '/admin/grupper/jobafklaring').filter(([n]) => !n.startsWith('name_'));
    const old = await admin.post('/admin/grupper/jobafklaring', setField(jf, 'resend_months', '9'));
    assert.equal(old.status, 422);
    assert.deepEqual(errorSummary(old.text).map((e) => e.field), ['name_da-jobafklaring']);
    assert.equal(one(s.db, "SELECT resend_months FROM target_groups WHERE slug = 'jobafklaring'"), '6');
  });

  it('its first draft is empty; filled and published, the group is switched on and the case system enrols a citizen who sees it', async () => {
    const packs = await admin.get('/admin/pakker');
    assert.match(text(packs.text), /Selvforsørgelsesydelse Ingen versioner endnu\./);
    let r = await admin.post(`/admin/pakker/${SLUG}/kladde`, { csrf: formCsrf(packs.text, `/admin/pakker/${SLUG}/kladde`) });
    assert.equal(r.status, 303);
    const id = Number(/(\d+)$/.exec(r.headers.location)[1]);
    assert.equal(one(s.db, `SELECT version || '|' || state || '|' || (SELECT count(*) FROM videos WHERE pack_id = ${id}) FROM packs WHERE id = ${id}`), '1|draft|0');
    const draftPage = `/admin/pakke/${id}`;
    let d = await admin.get(draftPage);
    assert.equal(d.status, 200);
    r = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf(d.text, `${draftPage}/udgiv`) });
    assert.equal(r.status, 422);
    // the written guidance first: it is the letter the law requires, never sent empty
    assert.match(errorSummary(r.text)[0].text, /Kladden har ingen skriftlig vejledning på dansk\. Den sendes som brev til borgeren/);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${id}`), 'draft');

    await fillFirstDraft(id);
    d = await admin.get(draftPage);
    r = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf(d.text, `${draftPage}/udgiv`) });
    assert.equal(r.status, 200, r.text.slice(0, 400));
    assert.match(text(r.text), /Dine pligter/);
    // the group is off: publishing offers to switch it on (left unticked here, to show the
    // switch on the groups page below)
    assert.match(r.text, /<input[^>]* type="checkbox" id="slaa_til" name="slaa_til" value="ja" checked>/);
    r = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf(r.text, `${draftPage}/udgiv`), confirm: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${id}`), 'published');

    const action = `/admin/grupper/${SLUG}`;
    const g = await admin.get('/admin/grupper');
    assert.doesNotMatch(text(g.text), /intet udgivet indhold endnu/);
    const fields2 = setField(formFields(g.text, action), 'enabled', 'ja');
    assert.equal((await admin.post(action, fields2)).status, 303);
    assert.equal(one(s.db, `SELECT enabled FROM target_groups WHERE slug = '${SLUG}'`), '1');

    const e = await enrolCitizen(s, { target_group: SLUG });
    const c = new Browser(s);
    assert.equal((await c.get(e.path)).status, 303);
    const overview = text((await c.get('/borger')).text);
    assert.match((await c.get('/borger/video/1')).text, /<source src="\/media\/ny-gruppe\.mp4" type="video\/mp4">/);
    assert.match(overview, /Selvforsørgelsesydelse/);
    assert.match(overview, /Dine pligter/);
  });

  it('a new group whose rules begin tomorrow is planned and switched on with its first version on that day, not before', async () => {
    const slug = 'ny-ordning';
    const day1 = addDays(today(), 1);
    const made = await newGroup({ slug, name_da: 'Ny ordning', name_en: 'New scheme', resend_months: '6' });
    assert.equal(made.status, 303);
    const packs = await admin.get('/admin/pakker');
    let r = await admin.post(`/admin/pakker/${slug}/kladde`, { csrf: formCsrf(packs.text, `/admin/pakker/${slug}/kladde`) });
    assert.equal(r.status, 303);
    const id = Number(/(\d+)$/.exec(r.headers.location)[1]);
    await fillFirstDraft(id, day1);
    const draftPage = `/admin/pakke/${id}`;
    const confirmPage = async () => {
      const page = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf((await admin.get(draftPage)).text, `${draftPage}/udgiv`) });
      assert.equal(page.status, 200, page.text.slice(0, 400));
      return page;
    };
    let page = await confirmPage();
    const t = text(page.text);
    // a first version: nothing is in force until then, and the switch is offered, ticked
    assert.match(t, /Udgiv den på den dag, reglerne begynder at gælde\. Indtil da har målgruppen intet udgivet indhold\./);
    assert.doesNotMatch(t, /nuværende version/);
    assert.match(t, /Målgruppen er slået fra, så sagssystemet kan ikke tilmelde borgere i den\./);
    assert.match(page.text, /<input[^>]* id="slaa_til" name="slaa_til" value="ja" checked>/);
    const switchOn = () => one(s.db, `SELECT publish_on || '|' || publish_switch_on FROM packs WHERE id = ${id}`);

    // planned without the switch (the box unticked: the browser sends nothing): only the day
    r = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf(page.text, `${draftPage}/udgiv`), confirm: 'ja', when: 'planlagt' });
    assert.equal(r.status, 303);
    assert.equal(switchOn(), `${day1}|0`);
    assert.doesNotMatch(text((await admin.get('/admin/grupper')).text), /slås til den/);
    // confirmed again, with it
    page = await confirmPage();
    r = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf(page.text, `${draftPage}/udgiv`), confirm: 'ja', when: 'planlagt', slaa_til: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(switchOn(), `${day1}|1`);
    assert.match(text((await admin.get('/admin/grupper')).text),
      new RegExp(`Kort navn: ${slug} · intet udgivet indhold endnu · slås til den ${human(day1)}, når den planlagte version bliver udgivet`));
    assert.match(text((await admin.get('/admin/pakker')).text),
      new RegExp(`Kladden er planlagt til at blive udgivet ${human(day1)} ?\\. Indtil da har målgruppen intet udgivet indhold\\..*Samme dag bliver målgruppen slået til, så sagssystemet kan tilmelde borgere i den\\.`));

    // edited after confirming: it will not be published, so not switched on either; the
    // review list says so of a group with nothing published too
    const f = formFields((await admin.get(draftPage)).text, draftPage);
    setField(f, 'guidance_da', 'Rettet efter planen.');
    assert.equal((await admin.post(draftPage, f)).status, 303);
    assert.match(text((await admin.get('/admin')).text),
      new RegExp(`Ny ordning \\(kladden\\)\\W+var planlagt til at blive udgivet ${human(day1)}, men er ændret`));
    assert.doesNotMatch(text((await admin.get('/admin/grupper')).text), /slås til den/);
    page = await confirmPage();
    r = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf(page.text, `${draftPage}/udgiv`), confirm: 'ja', when: 'planlagt', slaa_til: 'ja' });
    assert.equal(r.status, 303);
    assert.doesNotMatch(text((await admin.get('/admin')).text), /Ny ordning \(kladden\)/);

    // until then the case system cannot enrol anyone in it
    let e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { target_group: slug }) });
    assert.equal(e.status, 422);
    assert.equal(e.json.error.code, 'target_group_disabled');
    const jobsRun = (now) => {
      const j = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile, '--now', now]);
      assert.equal(j.status, 0, j.stderr);
    };
    const state = () => one(s.db, `SELECT p.state || '|' || g.enabled FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE p.id = ${id}`);
    jobsRun(`${today()}T21:30:00Z`); // 22:30 or 23:30 in Copenhagen: still today
    assert.equal(state(), 'draft|0');
    jobsRun(`${today()}T23:30:00Z`); // after midnight there
    assert.equal(state(), 'published|1');
    e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { target_group: slug }) });
    assert.equal(e.status, 201, JSON.stringify(e.json));
    // what was switched on is the record of the plan, which stays on the version
    assert.equal(switchOn(), `${day1}|1`);
    assert.doesNotMatch(text((await admin.get('/admin/grupper')).text), /slås til den/);
  });

  it('publishing at once can switch a group on in the same step', async () => {
    const slug = 'ny-med-det-samme';
    assert.equal((await newGroup({ slug, name_da: 'Straks', name_en: '', resend_months: '6' })).status, 303);
    const packs = await admin.get('/admin/pakker');
    let r = await admin.post(`/admin/pakker/${slug}/kladde`, { csrf: formCsrf(packs.text, `/admin/pakker/${slug}/kladde`) });
    const id = Number(/(\d+)$/.exec(r.headers.location)[1]);
    await fillFirstDraft(id, undefined, 'ny-gruppe.webm');
    const draftPage = `/admin/pakke/${id}`;
    const page = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf((await admin.get(draftPage)).text, `${draftPage}/udgiv`) });
    assert.equal(page.status, 200);
    assert.doesNotMatch(text(page.text), /Hvornår skal versionen udgives/); // its rules apply already
    r = await admin.post(`${draftPage}/udgiv`, { csrf: formCsrf(page.text, `${draftPage}/udgiv`), confirm: 'ja', slaa_til: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(one(s.db, `SELECT p.state || '|' || g.enabled FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE p.id = ${id}`), 'published|1');
    const e = await enrolCitizen(s, { target_group: slug });
    // its video is WebM, and the page says so, so that a phone that cannot play WebM skips
    // it instead of fetching it
    const c = new Browser(s);
    assert.equal((await c.get(e.path)).status, 303);
    assert.match((await c.get('/borger/video/1')).text, /<source src="\/media\/ny-gruppe\.webm" type="video\/webm">/);
  });
});

describe('`vejled packs load`: pack files published without the demo\'s staff and citizens', () => {
  let s;
  before(async () => {
    s = await startServer({ start: false });
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('adds the group and publishes its pack, refuses a bad file naming it and storing nothing, and makes no staff or citizens', () => {
    const { dir, pack, file } = packFolder(s, 'content', { slug: 'ydelse-ny', name: { da: 'Ny ydelse', en: 'New benefit' }, resend_months: 6, enabled: false });
    // in force for a long while yet, whatever the date (packs load refuses rules that ended)
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date());
    const day = (n) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    for (const item of [pack, ...pack.videos]) Object.assign(item, { valid_from: day(-400), valid_to: day(400) });
    const bad = structuredClone(pack);
    bad.videos[0].valid_to = '2027-02-30';
    fs.writeFileSync(file, JSON.stringify(bad));
    const before = counts(s);
    let r = cli(['packs', 'load', '--db', s.db, '--dir', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ydelse-ny\.json: videos\[0\]\.valid_to must be a day written YYYY-MM-DD/);
    assert.deepEqual(counts(s), before);

    fs.writeFileSync(file, JSON.stringify(pack));
    r = cli(['packs', 'load', '--db', s.db, '--dir', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /published 1 guidance pack version/);
    assert.equal(one(s.db, "SELECT g.name_da || '|' || g.enabled || '|' || p.state FROM target_groups g JOIN packs p ON p.group_id = g.id WHERE g.slug = 'ydelse-ny'"),
      'Ny ydelse|0|published');
    const after = counts(s);
    for (const t of ['users', 'citizens', 'enrolments']) assert.equal(after[t], before[t], t);
    // the same files again publish nothing
    r = cli(['packs', 'load', '--db', s.db, '--dir', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /published 0 guidance pack version/);
    // a new version whose rules ended yesterday is not put in force (demo's examples would be)
    const ended = structuredClone(pack);
    ended.valid_to = day(-1);
    fs.writeFileSync(file, JSON.stringify(ended));
    const beforeEnded = counts(s);
    r = cli(['packs', 'load', '--db', s.db, '--dir', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ydelse-ny\.json: valid_to has passed: its rules are no longer in force; nothing was loaded/);
    assert.deepEqual(counts(s), beforeEnded);

    assert.equal(cli(['packs', 'load', '--db', s.db]).status, 2, 'no --dir');
    assert.equal(cli(['packs', 'load', '--db', s.db, '--dir', dir, '--now', '2027-01-01T00:00:00Z']).status, 2, 'a flag it does not take');
    assert.equal(cli(['packs', '--db', s.db]).status, 2, 'no verb');
    // like every command but migrate, demo, serve and copy: no new database by mistake
    const missing = path.join(s.dir, 'nope.db');
    r = cli(['packs', 'load', '--db', missing, '--dir', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no database at/);
    assert.ok(!fs.existsSync(missing));
  });
});

describe('`vejled packs load`: a file whose rules begin later is planned for its first day, not put in force early', () => {
  let s;
  let admin;
  before(async () => {
    s = await startServer();
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('a new group\'s file for tomorrow is its planned draft, the group off until then; loaded again nothing changes; other content is refused while it waits; the day\'s first scheduler pass publishes it and switches the group on', async () => {
    const day0 = today();
    const day1 = addDays(day0, 1);
    const { dir, pack, file } = packFolder(s, 'reform', { slug: 'ydelse-reform', name: { da: 'Reformydelse', en: 'Reform benefit' }, resend_months: 6, enabled: true });
    for (const item of [pack, ...pack.videos]) Object.assign(item, { valid_from: day1, valid_to: addDays(day0, 400) });
    fs.writeFileSync(file, JSON.stringify(pack));
    const state = () => one(s.db, "SELECT p.version || '|' || p.state || '|' || p.publish_on || '|' || p.publish_switch_on || '|' || g.enabled FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = 'ydelse-reform' ORDER BY p.version");

    let r = cli(['packs', 'load', '--db', s.db, '--dir', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /published 0 guidance pack version/);
    assert.match(r.stderr, /planned 1 guidance pack version\(s\) whose rules begin later, each for its first day/);
    assert.equal(state(), `1|draft|${day1}|1|0`);
    // the case system cannot enrol anyone in it before its day
    const refused = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { target_group: 'ydelse-reform' }) });
    assert.equal(refused.status, 422);
    assert.equal(refused.json.error.code, 'target_group_disabled');
    // the administrator sees the plan, as one made in the editor
    const packs = text((await admin.get('/admin/pakker')).text);
    assert.match(packs, new RegExp(`Reformydelse[\\s\\S]*${human(day1)}`));

    // the same file again: nothing changes
    r = cli(['packs', 'load', '--db', s.db, '--dir', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /planned/);
    assert.equal(state(), `1|draft|${day1}|1|0`);

    // other content for the group while that plan waits: refused, naming it (one plan per group)
    const other = structuredClone(pack);
    other.written_guidance.da = 'En anden tekst om reformen.';
    fs.writeFileSync(file, JSON.stringify(other));
    const before = counts(s);
    r = cli(['packs', 'load', '--db', s.db, '--dir', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`ydelse-reform\\.json: its rules begin on ${day1}, so it would be planned for target group 'ydelse-reform', but the group has a planned draft already \\(version 1\\): take its plan away or delete it on /admin/pakker first; nothing was loaded`));
    assert.deepEqual(counts(s), before);
    fs.writeFileSync(file, JSON.stringify(pack));

    // the evening before its day: still planned; half past midnight: published, switched on
    r = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile, '--now', `${day0}T21:30:00Z`]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(state(), `1|draft|${day1}|1|0`);
    r = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile, '--now', `${day0}T23:30:00Z`]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(state(), `1|published|${day1}|1|1`);
    const e = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { target_group: 'ydelse-reform' }) });
    assert.equal(e.status, 201);
  });
});

describe('a group\'s names are the administrator\'s: pack files loaded again do not undo them', () => {
  let s;
  let admin;
  before(async () => {
    s = await startServer({ config: ini({ content: { demo_dir: '{dir}/demo' } }) });
    fs.cpSync(path.join(ROOT, 'db', 'demo'), path.join(s.dir, 'demo'), { recursive: true });
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('a group renamed on /admin/grupper keeps its names through `vejled demo` (every `make run`) and `vejled packs load`', async () => {
    const action = '/admin/grupper/dagpenge';
    const fields = formFields((await admin.get('/admin/grupper')).text, action);
    setField(fields, 'name_da', 'Arbejdsløshedsdagpenge');
    setField(fields, 'name_en', 'Unemployment insurance benefit');
    assert.equal((await admin.post(action, fields)).status, 303);
    const names = "SELECT name_da || '|' || name_en FROM target_groups WHERE slug = 'dagpenge'";
    assert.equal(one(s.db, names), 'Arbejdsløshedsdagpenge|Unemployment insurance benefit');
    let r = cli(['demo', '--db', s.db, '--config', s.configFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(one(s.db, names), 'Arbejdsløshedsdagpenge|Unemployment insurance benefit');
    r = cli(['packs', 'load', '--db', s.db, '--dir', path.join(s.dir, 'demo')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(one(s.db, names), 'Arbejdsløshedsdagpenge|Unemployment insurance benefit');
    // and the pages say the administrator's name
    assert.match(text((await admin.get('/admin/grupper')).text), /Arbejdsløshedsdagpenge/);
  });

  it('a group the administrator added keeps its names when a pack file for it is loaded, and gets its content', async () => {
    const page = await admin.get('/admin/grupper');
    // the new group's form takes names at their limit, of four bytes a character
    const long = '𝔄'.repeat(200);
    const full = await admin.post('/admin/grupper', {
      csrf: formCsrf(page.text, '/admin/grupper'), slug: 'a'.repeat(63), name_da: long, name_en: long, resend_months: '60',
    });
    assert.equal(full.status, 303);
    assert.equal(one(s.db, `SELECT name_da FROM target_groups WHERE slug = '${'a'.repeat(63)}'`), long);
    const r0 = await admin.post('/admin/grupper', {
      csrf: formCsrf(page.text, '/admin/grupper'), slug: 'ydelse-adm', name_da: 'Administratorens navn', name_en: 'The admin\'s name', resend_months: '6',
    });
    assert.equal(r0.status, 303);
    const { dir, pack, file } = packFolder(s, 'load', { slug: 'ydelse-adm', name: { da: 'Filens navn', en: 'The file\'s name' }, resend_months: 3, enabled: true });
    fs.writeFileSync(file, JSON.stringify(pack));
    const r = cli(['packs', 'load', '--db', s.db, '--dir', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /published 1 guidance pack version/);
    assert.equal(one(s.db, "SELECT g.name_da || '|' || g.name_en || '|' || g.resend_months || '|' || g.enabled || '|' || p.state FROM target_groups g JOIN packs p ON p.group_id = g.id AND p.state = 'published' WHERE g.slug = 'ydelse-adm'"),
      "Administratorens navn|The admin's name|6|0|published");
  });
});
