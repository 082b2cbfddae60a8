// Content carries its legal basis and the days it is valid, so that a change in the law
// makes an administrator review it instead of citizens silently being shown outdated rules:
// pack files and the editor take only real days, the last not before the first; publishing
// refuses content whose validity already ended; the administrator's start page and pack list
// say what ended, ends within [content] review_days or has not begun; a citizen is told on
// the overview and the video page when the rules ended or begin later; a video's own legal
// basis and dates are edited in its form and shown in the difference before publishing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, ROOT, Server, cli, sqlite, startServer, tableCounts } from './harness.mjs';
import { answerVideo } from './answers.mjs';
import { addDays, human, text, today } from './days.mjs';
import { enrolCitizen, errorSummary, formCsrf, formFields, ini, pdfText, setField, staff } from './staffkit.mjs';

const one = (db, sql) => sqlite(db, sql).trim();


const packFile = (demo, slug) => path.join(demo, 'packs', `${slug}.json`);
/* A demo pack, its days (the pack's and every video's) made relative to today, so that the
 * test means the same after the demo's own last day has passed. */
const readPack = (demo, slug) => {
  const pack = JSON.parse(fs.readFileSync(packFile(demo, slug), 'utf8'));
  for (const item of [pack, ...pack.videos]) {
    if (item.valid_from) item.valid_from = addDays(today(), -400);
    if (item.valid_to) item.valid_to = addDays(today(), 400);
  }
  return pack;
};
const writePack = (demo, slug, pack) => fs.writeFileSync(packFile(demo, slug), JSON.stringify(pack));
const loadDemo = (s) => cli(['demo', '--db', s.db, '--config', s.configFile]);
/* every table's row count but the access log's (reading a page writes one) */
const counts = (s) => {
  const c = tableCounts(s.db);
  delete c.access_log;
  return c;
};

/* A citizen of group (by the API) with a browser on their overview (b.enrolment: the
 * API's answer). */
async function citizenOf(s, group) {
  const e = await enrolCitizen(s, { target_group: group });
  const b = new Browser(s);
  assert.equal((await b.get(e.path)).status, 303);
  b.enrolment = e;
  return b;
}

/* How many questions video n asks citizen b. */
async function videoQuestions(s, b, n) {
  const page = await b.get(`/borger/video/${n}`);
  return (page.text.match(/<fieldset/g) || []).length;
}

/* The evidence PDF of citizen b as the demo caseworker downloads it, as one line of text. */
async function evidenceOf(s, b) {
  const cw = await staff(s, 'cw1');
  const r = await cw.get(`/medarbejder/borger/${b.enrolment.citizen_id}/dokumentation.pdf`);
  assert.equal(r.status, 200);
  return pdfText(s, r.buf, `evidence-${b.enrolment.citizen_id}.pdf`).replace(/\s+/g, ' ');
}

describe('content validity: a change in the law makes the content reviewed, not silently outdated', () => {
  let s;
  let plain; // VEJLED_NO_PRERENDER=1 on the same database: the pages made from scratch
  let demo;
  let admin;
  const day0 = today();

  before(async () => {
    s = await startServer({ config: ini({ content: { demo_dir: '{dir}/demo', review_days: 30 } }) });
    demo = path.join(s.dir, 'demo');
    fs.cpSync(path.join(ROOT, 'db', 'demo'), demo, { recursive: true });
    // every group's content in force for a long while yet, whatever the date
    for (const f of fs.readdirSync(path.join(demo, 'packs'))) {
      const slug = path.basename(f, '.json');
      writePack(demo, slug, readPack(demo, slug));
    }
    assert.equal(loadDemo(s).status, 0);
    plain = new Server(s.dir);
    plain.db = s.db;
    plain.serveArgs = s.serveArgs;
    plain.env = { VEJLED_NO_PRERENDER: '1' };
    await plain.start();
    admin = await staff(s, 'admin');
  });
  after(async () => {
    if (plain) await plain.stop();
    if (s) await s.cleanup();
  });

  it('a pack file with a day that does not exist, a time, or the last day before the first is refused by `vejled demo`, naming it; nothing is stored', () => {
    const before = counts(s);
    const cases = [
      [(p) => { p.valid_to = '2027-02-30'; }, /dagpenge\.json: valid_to must be a day written YYYY-MM-DD/],
      [(p) => { p.valid_to = '2027-06-30T00:00:00Z'; }, /dagpenge\.json: valid_to must be a day written YYYY-MM-DD/],
      [(p) => { p.valid_from = '2027-07-01'; p.valid_to = '2027-06-30'; }, /dagpenge\.json: valid_to is before valid_from/],
      [(p) => { p.videos[1].valid_from = '1. januar 2027'; }, /dagpenge\.json: videos\[1\]\.valid_from must be a day written YYYY-MM-DD/],
    ];
    for (const [change, message] of cases) {
      const pack = readPack(path.join(ROOT, 'db', 'demo'), 'dagpenge');
      change(pack);
      writePack(demo, 'dagpenge', pack);
      const r = loadDemo(s);
      assert.notEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, message);
      assert.deepEqual(counts(s), before);
    }
  });

  it('content whose validity ended yesterday: the administrator is told on the start page and the pack list, citizens on the overview and every video page', async () => {
    const yesterday = addDays(day0, -1);
    const pack = readPack(path.join(ROOT, 'db', 'demo'), 'dagpenge');
    pack.valid_to = yesterday;
    pack.legal_basis = 'Lov om en aktiv beskæftigelsesindsats (indtil lovændringen)';
    writePack(demo, 'dagpenge', pack);
    const r = loadDemo(s);
    assert.equal(r.status, 0, r.stderr);

    for (const page of ['/admin', '/admin/pakker']) {
      const res = await admin.get(page);
      assert.equal(res.status, 200);
      const t = text(res.text);
      assert.match(t, /Indhold, der skal gennemgås/, page);
      assert.match(t, new RegExp(`Dagpenge \\(Version \\d+\\): gyldigheden sluttede ${human(yesterday)}\\. Borgerne får at vide, at reglerne kan være ændret`), page);
      // only what needs review: the other groups' demo content is valid for months
      assert.doesNotMatch(t, /Sygedagpenge \(Version/, page);
      assert.match(res.text, /href="\/admin\/pakker#g-dagpenge"/, page);
    }

    // and the operators' monitoring (Prometheus): one group's published content has ended
    const gauge = async () => {
      const m = await s.request('GET', '/metrics');
      assert.equal(m.status, 200);
      return Object.fromEntries([...m.text.matchAll(/^vejled_content_published\{validity="(\w+)"\} (\d+)$/gm)]
        .map((x) => [x[1], Number(x[2])]));
    };
    const groupsWithContent = Number(one(s.db, "SELECT count(DISTINCT group_id) FROM packs WHERE state = 'published'"));
    const g = await gauge();
    assert.equal(g.ended, 1);
    assert.equal(g.in_force + g.ending + g.not_yet + g.ended, groupsWithContent);

    const c = await citizenOf(s, 'dagpenge');
    const overview = await c.get('/borger');
    assert.equal(overview.status, 200);
    assert.match(text(overview.text), new RegExp(`Nogle af reglerne i videoerne gjaldt kun til ${human(yesterday)}\\. De kan være ændret siden\\. Spørg din sagsbehandler, hvis du er i tvivl\\.`));
    for (let n = 1; n <= pack.videos.length; n++) {
      const v = await c.get(`/borger/video/${n}`);
      assert.equal(v.status, 200);
      assert.match(text(v.text), new RegExp(`Reglerne i denne video gjaldt til ${human(yesterday)}\\. De kan være ændret siden\\.`), `video ${n}`);
    }
    // in English too, and the same bytes as the pages made from scratch
    const twin = new Browser(plain);
    twin.cookies = new Map(c.cookies);
    for (const p of ['/borger', '/borger/video/1']) {
      const a = await c.get(p);
      const b = await twin.get(p);
      assert.equal(a.text, b.text, `${p}: pre-rendered and made from scratch differ`);
    }
    const home = await c.get('/borger');
    assert.equal((await c.post('/borger/sprog', { csrf: formCsrf(home.text, '/borger/sprog'), lang: 'en', back: '/borger/video/1' })).status, 303);
    const en = await c.get('/borger/video/1');
    assert.match(text(en.text), /The rules in this video applied until \d+ \w+ \d{4}\. They may have changed since\. Ask your caseworker if you are unsure\./);

    // the answers are recorded as before; the evidence says they came after the last day
    await answerVideo(c, 1);
    const pdf = await evidenceOf(s, c);
    const n1 = pack.videos[0].questions.length;
    assert.equal(pdf.split(`besvaret efter den sidste dag, indholdet gjaldt (${yesterday})`).length - 1, n1, pdf);
    assert.match(pdf, new RegExp(`Indholdsversionen gælder fra \\S+ til ${yesterday}`));
    // its written guidance still goes out (the law wants the letter), and the evidence says
    // it went after the text's last day
    const sent = cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]);
    assert.equal(sent.status, 0, sent.stderr);
    const withLetter = await evidenceOf(s, c);
    assert.match(withLetter, new RegExp(`sendt efter den sidste dag, den skriftlige vejledning gjaldt \\(${yesterday}\\)`), withLetter);

    // the caseworker is told on the citizen's page, to explain the rules in force at the meeting
    const cw = await staff(s, 'cw1');
    const staffPage = text((await cw.get(`/medarbejder/borger/${c.enrolment.citizen_id}`)).text);
    assert.match(staffPage, new RegExp(`Reglernes gyldighed Reglerne i borgerens videoer gjaldt kun til ${human(yesterday)}\\. Forklar de regler, der gælder nu, til mødet`));

    // a citizen of a group whose content is in force is told nothing of it, nor their caseworker
    const other = await citizenOf(s, 'sygedagpenge');
    assert.doesNotMatch(text((await cw.get(`/medarbejder/borger/${other.enrolment.citizen_id}`)).text), /Reglernes gyldighed/);
    assert.doesNotMatch(text((await other.get('/borger')).text), /gjaldt|gælder fra/);
    assert.doesNotMatch(text((await other.get('/borger/video/1')).text), /Reglerne i denne video/);
  });

  let draft;
  it('publishing refuses a draft whose validity already ended, and changes nothing', async () => {
    const page = await admin.get('/admin/pakker');
    const made = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(page.text, '/admin/pakker/dagpenge/kladde') });
    assert.equal(made.status, 303);
    draft = Number(/(\d+)$/.exec(made.headers.location)[1]);
    // something changed, so that only the validity stands in the way
    const action = `/admin/pakke/${draft}/video/2`;
    const fields = formFields((await admin.get(action)).text, action);
    setField(fields, 'summary_da', 'En ny kort tekst om videoen.');
    assert.equal((await admin.post(action, fields)).status, 303);
    const before = counts(s);
    const d = await admin.get(`/admin/pakke/${draft}`);
    for (const confirm of [undefined, 'ja']) {
      const r = await admin.post(`/admin/pakke/${draft}/udgiv`, { csrf: formCsrf(d.text, `/admin/pakke/${draft}/udgiv`), ...(confirm ? { confirm } : {}) });
      assert.equal(r.status, 422, `confirm=${confirm}`);
      assert.match(errorSummary(r.text).map((e) => e.text).join(' '), /Gyldigheden er allerede slut: »Gyldig til« ligger før i dag/);
    }
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${draft}`), 'draft');
    assert.deepEqual(counts(s), before);
  });

  it('the pack form and a video\'s form refuse a day that does not exist or a last day before the first, saving nothing; a video\'s own legal basis and days are saved', async () => {
    const packAction = `/admin/pakke/${draft}`;
    let fields = formFields((await admin.get(packAction)).text, packAction);
    setField(fields, 'valid_to', addDays(fields.find(([n]) => n === 'valid_from')[1], -1));
    let r = await admin.post(packAction, fields);
    assert.equal(r.status, 422);
    assert.deepEqual(errorSummary(r.text).map((e) => e.field), ['valid_to']);
    assert.match(errorSummary(r.text)[0].text, /»Gyldig til« ligger før datoen i »Gyldig fra«/);
    assert.equal(one(s.db, `SELECT valid_to FROM packs WHERE id = ${draft}`), addDays(day0, -1));
    // the pack now in force for ten more days
    setField(fields, 'valid_to', addDays(day0, 10));
    assert.equal((await admin.post(packAction, fields)).status, 303);

    const action = `/admin/pakke/${draft}/video/1`;
    const form = await admin.get(action);
    assert.match(form.text, /name="legal_basis"/);
    fields = formFields(form.text, action);
    const before = one(s.db, `SELECT valid_from || '|' || valid_to || '|' || legal_basis FROM videos WHERE pack_id = ${draft} AND position = 1`);
    for (const [name, value, message] of [
      ['valid_from', '2027-13-01', /Skriv datoen som ÅÅÅÅ-MM-DD/],
      ['valid_to', '2026-02-29', /Skriv datoen som ÅÅÅÅ-MM-DD/],
    ]) {
      const bad = setField(structuredClone(fields), name, value);
      r = await admin.post(action, bad);
      assert.equal(r.status, 422, name);
      const sum = errorSummary(r.text);
      assert.deepEqual(sum.map((e) => e.field), [name]);
      assert.match(sum[0].text, message);
      assert.match(r.text, new RegExp(`name="${name}" value="${value}"`), 'the refused day is shown as sent');
    }
    const reversed = setField(setField(structuredClone(fields), 'valid_from', addDays(day0, 5)), 'valid_to', addDays(day0, 4));
    r = await admin.post(action, reversed);
    assert.equal(r.status, 422);
    assert.deepEqual(errorSummary(r.text).map((e) => e.field), ['valid_to']);
    assert.equal(one(s.db, `SELECT valid_from || '|' || valid_to || '|' || legal_basis FROM videos WHERE pack_id = ${draft} AND position = 1`), before);
    // the video's rules begin tomorrow, under a law of their own
    setField(fields, 'valid_from', addDays(day0, 1));
    setField(fields, 'valid_to', '');
    setField(fields, 'legal_basis', 'Lov om beskæftigelsesindsats, ny § 12');
    assert.equal((await admin.post(action, fields)).status, 303);
    assert.equal(one(s.db, `SELECT valid_from || '|' || valid_to || '|' || legal_basis FROM videos WHERE pack_id = ${draft} AND position = 1`),
      `${addDays(day0, 1)}||Lov om beskæftigelsesindsats, ny § 12`);
  });

  it('the difference before publishing names a video\'s new legal basis and days; once published, the administrator is told what ends soon and what has not begun, and the citizen when the rules begin', async () => {
    const d = await admin.get(`/admin/pakke/${draft}`);
    const confirm = await admin.post(`/admin/pakke/${draft}/udgiv`, { csrf: formCsrf(d.text, `/admin/pakke/${draft}/udgiv`) });
    assert.equal(confirm.status, 200, confirm.text.slice(0, 400));
    const t = text(confirm.text);
    assert.match(t, /Lov om beskæftigelsesindsats, ny § 12/);
    assert.ok(t.includes(addDays(day0, 1)), 'the new first day');
    assert.ok(t.includes(addDays(day0, 10)), 'the pack\'s new last day');
    const r = await admin.post(`/admin/pakke/${draft}/udgiv`, { csrf: formCsrf(confirm.text, `/admin/pakke/${draft}/udgiv`), confirm: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${draft}`), 'published');

    const list = text((await admin.get('/admin')).text);
    assert.match(list, new RegExp(`Dagpenge \\(Version \\d+\\): gyldigheden slutter ${human(addDays(day0, 10))} – om 10 dage\\.`));
    assert.match(list, new RegExp(`Dagpenge \\(Version \\d+\\), Video 1: [^:]+: gælder først fra ${human(addDays(day0, 1))}, men borgerne ser det allerede nu`));
    assert.doesNotMatch(list, /gyldigheden sluttede/, 'the ended version is no longer the published one');

    const c = await citizenOf(s, 'dagpenge');
    const v1 = await c.get('/borger/video/1');
    assert.match(text(v1.text), new RegExp(`Reglerne i denne video gælder fra ${human(addDays(day0, 1))}\\.`));
    // the legal-basis line: the video's own law, and the earlier of its last day and its pack's
    assert.match(text(v1.text), new RegExp(`Lovgrundlag: Lov om beskæftigelsesindsats, ny § 12\\. Gælder til ${human(addDays(day0, 10))}`));
    // ending within the review period is the administrator's business, not the citizen's
    const v2 = await c.get('/borger/video/2');
    assert.doesNotMatch(text(v2.text), /Reglerne i denne video (gjaldt|gælder fra)/);
    assert.match(text((await c.get('/borger')).text), new RegExp(`Reglerne i videoerne gælder fra ${human(addDays(day0, 1))}\\.`));
    const twin = new Browser(plain);
    twin.cookies = new Map(c.cookies);
    for (const p of ['/borger', '/borger/video/1', '/borger/video/2']) {
      assert.equal((await c.get(p)).text, (await twin.get(p)).text, `${p}: pre-rendered and made from scratch differ`);
    }
    // the evidence names the video's own days, and answers given before its first day; a
    // letter sent while its text applies says nothing of the kind
    await answerVideo(c, 1);
    await answerVideo(c, 2);
    assert.equal(cli(['jobs', 'run', '--db', s.db, '--config', s.configFile]).status, 0);
    const pdf = await evidenceOf(s, c);
    assert.match(pdf, /besked-id \S+ sha256 [0-9a-f]{64}/, 'a letter was sent and is listed');
    assert.doesNotMatch(pdf, /sendt (efter den sidste|før den første) dag/);
    assert.match(pdf, new RegExp(`Videoens gyldighed: fra ${addDays(day0, 1)} til ${addDays(day0, 10)}`));
    assert.equal(pdf.split('Videoens gyldighed').length - 1, 1, 'only the video whose days differ');
    assert.match(pdf, /Retsgrundlag: Lov om beskæftigelsesindsats, ny § 12/);
    const n1 = (pdf.match(new RegExp(`besvaret før den første dag, indholdet gjaldt \\(${addDays(day0, 1)}\\)`, 'g')) || []).length;
    assert.ok(n1 > 0 && !/besvaret efter den sidste dag/.test(pdf), pdf);
    assert.equal(n1, (pdf.split('Svar:').length - 1) - (await videoQuestions(s, c, 2)), 'every answer to video 1, none to video 2');
  });

  it('a video whose own days lie outside its pack\'s (valid on no day) is refused at publishing and in a pack file, naming it; nothing changes', async () => {
    // the law changes after the pack's last day: a new video from that day cannot be in it
    const page = await admin.get('/admin/pakker');
    const made = await admin.post('/admin/pakker/jobafklaring/kladde', { csrf: formCsrf(page.text, '/admin/pakker/jobafklaring/kladde') });
    assert.equal(made.status, 303);
    const id = Number(/(\d+)$/.exec(made.headers.location)[1]);
    const packAction = `/admin/pakke/${id}`;
    const pf = setField(formFields((await admin.get(packAction)).text, packAction), 'valid_to', addDays(day0, 30));
    assert.equal((await admin.post(packAction, pf)).status, 303);
    const action = `/admin/pakke/${id}/video/2`;
    const vf = setField(setField(formFields((await admin.get(action)).text, action), 'valid_from', addDays(day0, 31)), 'valid_to', '');
    assert.equal((await admin.post(action, vf)).status, 303);
    const before = counts(s);
    const d = await admin.get(packAction);
    for (const confirm of [undefined, 'ja']) {
      const r = await admin.post(`${packAction}/udgiv`, { csrf: formCsrf(d.text, `${packAction}/udgiv`), ...(confirm ? { confirm } : {}) });
      assert.equal(r.status, 422, `confirm=${confirm}`);
      assert.match(errorSummary(r.text).map((e) => e.text).join(' '), /Videoen gælder ikke en eneste dag/);
      assert.match(text(r.text), /video 2\b/i);
    }
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${id}`), 'draft');
    assert.deepEqual(counts(s), before);

    const pack = readPack(path.join(ROOT, 'db', 'demo'), 'jobafklaring');
    pack.valid_to = '2026-12-31';
    pack.videos[1].valid_from = '2027-01-01';
    writePack(demo, 'jobafklaring', pack);
    const r = loadDemo(s);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /jobafklaring\.json: videos\[1\]/);
    assert.deepEqual(counts(s), before);
    writePack(demo, 'jobafklaring', readPack(path.join(ROOT, 'db', 'demo'), 'jobafklaring'));
  });
});
