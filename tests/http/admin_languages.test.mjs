// The administrator edits a draft's texts in every language of the pack (not only Danish
// and English): the Arabic fields are right-to-left and marked with their language, a
// posted text is saved into the draft, publishing keeps it and shows it in the diff, and
// the citizen's Arabic page shows it while the English text stays as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, ROOT, decodeEntities, enrolBody, freshCpr, sqlite, startServer } from './harness.mjs';
import { assertSummaryOnTop, formCsrf, formFields, ini, setField, staff } from './staffkit.mjs';

const PACK = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
const one = (db, sql) => sqlite(db, sql).trim();

/** setField, for a field the form must already have. */
function set(fields, name, value) {
  assert.ok(fields.some(([n]) => n === name), `the form has ${name}`);
  return setField(fields, name, value);
}

/** The opening tag of the form control named name. */
function control(html, name) {
  const m = new RegExp(`<(input|textarea)\\b[^>]*\\bname="${name}"[^>]*>`).exec(html);
  assert.ok(m, `a control named ${name}`);
  return m[0];
}

async function citizenIn(s, language) {
  const r = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language }) });
  assert.equal(r.status, 201, r.text);
  const b = new Browser(s);
  assert.equal((await b.get(new URL(r.json.link).pathname)).status, 303);
  return b;
}

/** The group's draft: made from the published version unless there is one. */
async function draftOf(s, admin, slug) {
  const existing = one(s.db, `SELECT p.id FROM packs p JOIN target_groups g ON g.id = p.group_id WHERE g.slug = '${slug}' AND p.state = 'draft'`);
  if (existing) return Number(existing);
  const packs = await admin.get('/admin/pakker');
  const r = await admin.post(`/admin/pakker/${slug}/kladde`, { csrf: formCsrf(packs.text, `/admin/pakker/${slug}/kladde`) });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  return Number(/\/admin\/pakke\/(\d+)$/.exec(r.headers.location)[1]);
}

describe('administrator: the draft in every language of the pack', () => {
  let s;
  let admin;
  let draftId;
  before(async () => {
    s = await startServer({ config: ini({ staff: { login_attempts_per_minute: 1000 } }) });
    admin = await staff(s, 'admin');
    draftId = await draftOf(s, admin, 'dagpenge');
  });
  after(async () => {
    if (s) {
      await s.stop();
      await s.cleanup();
    }
  });

  it('the draft page links every other language with how many texts it has', async () => {
    const page = decodeEntities((await admin.get(`/admin/pakke/${draftId}`)).text);
    // the editor's texts: the group's name is one of them, its description (which no page
    // shows) is not
    const arTexts = Object.keys(PACK.translations.ar).filter((k) => k !== 'group.description').length;
    assert.match(page, new RegExp(`href="/admin/pakke/${draftId}/sprog/ar">[^<]*<span lang="ar" dir="rtl">العربية</span></a> – ${arTexts} `));
    assert.match(page, new RegExp(`href="/admin/pakke/${draftId}/sprog/uk"`));
    assert.ok(!page.includes(`/sprog/en"`) && !page.includes(`/sprog/da"`), 'Danish and English are edited on the forms themselves');
    assert.equal((await admin.get(`/admin/pakke/${draftId}/sprog/en`)).status, 404);
    assert.equal((await admin.get(`/admin/pakke/${draftId}/sprog/xx`)).status, 404);
    assert.equal((await admin.get(`/admin/pakke/${draftId}/sprog/ar/video/99`)).status, 404);
  });

  it('every text field of a video in Arabic: right-to-left, lang="ar", the Danish text beside it', async () => {
    const page = (await admin.get(`/admin/pakke/${draftId}/sprog/ar/video/1`)).text;
    const v = PACK.videos[0];
    const names = ['title', 'summary', 'transcript', 'captions'];
    v.questions.forEach((q, qi) => {
      names.push(`q${qi + 1}_text`, `q${qi + 1}_topic`, `q${qi + 1}_explanation`);
      q.options.forEach((_, oi) => names.push(`q${qi + 1}_o${oi + 1}`));
    });
    for (const n of names) {
      const tag = control(page, n);
      assert.match(tag, /\blang="ar"/, `${n} has lang="ar"`);
      assert.match(tag, /\bdir="rtl"/, `${n} has dir="rtl"`);
    }
    // the stored Arabic text fills the field; the Danish one is shown to translate from
    const fields = Object.fromEntries(formFields(page, `/admin/pakke/${draftId}/sprog/ar/video/1`));
    assert.equal(fields.title, PACK.translations.ar[`v.${v.slug}.title`]);
    assert.equal(fields.q1_o1, PACK.translations.ar[`v.${v.slug}.q.${v.questions[0].slug}.o1`]);
    assert.ok(decodeEntities(page).includes(v.title.da), 'the Danish title is beside it');
    // no LIX for another language (it measures Danish)
    assert.ok(!page.includes('vejled-lix'), 'no LIX on the Arabic form');
  });

  it('bad input: an error summary on top, nothing stored', async () => {
    const action = `/admin/pakke/${draftId}/sprog/ar/video/1`;
    const page = (await admin.get(action)).text;
    const before = one(s.db, `SELECT translations FROM packs WHERE id = ${draftId}`);
    const r = await admin.post(action, set(set(formFields(page, action), 'captions', 'not a caption file'), 'title', 'عنوان لن يحفظ'));
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['captions']);
    assert.ok(decodeEntities(r.text).includes('عنوان لن يحفظ'), 'the form shows what was posted');
    assert.equal(one(s.db, `SELECT translations FROM packs WHERE id = ${draftId}`), before);
  });

  it('edit an Arabic field, clear another, publish: the diff shows it, the Arabic page shows it, English is unchanged', async () => {
    const v = PACK.videos[0];
    const q1 = v.questions[0];
    const action = `/admin/pakke/${draftId}/sprog/ar/video/1`;
    const newTitle = 'عنوان جديد للفيديو الأول';
    const newOption = 'خيار أول جديد';
    let page = (await admin.get(action)).text;
    let fields = formFields(page, action);
    set(fields, 'title', newTitle);
    set(fields, 'q1_o1', newOption);
    set(fields, 'summary', ''); // cleared: the citizen sees the Danish summary
    let r = await admin.post(action, fields);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(r.headers.location, action);
    const tr = JSON.parse(one(s.db, `SELECT translations FROM packs WHERE id = ${draftId}`));
    assert.equal(tr.ar[`v.${v.slug}.title`], newTitle);
    assert.equal(tr.ar[`v.${v.slug}.q.${q1.slug}.o1`], newOption);
    assert.ok(!(`v.${v.slug}.summary` in tr.ar), 'an emptied field is removed');
    const noCaptions = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => !k.endsWith('.captions')));
    assert.deepEqual(noCaptions(tr.uk), noCaptions(PACK.translations.uk), 'Ukrainian untouched');
    // the written guidance in Arabic, on the language's own page
    const gAction = `/admin/pakke/${draftId}/sprog/ar`;
    page = (await admin.get(gAction)).text;
    assert.match(control(page, 'guidance'), /lang="ar"[^>]*dir="rtl"/);
    r = await admin.post(gAction, set(formFields(page, gAction), 'guidance', 'إرشاد مكتوب بالعربية.'));
    assert.equal(r.status, 303);
    // the English form is as it was
    const en = Object.fromEntries(formFields((await admin.get(`/admin/pakke/${draftId}/video/1`)).text, `/admin/pakke/${draftId}/video/1`));
    assert.equal(en.title_en, v.title.en);

    // publish: the confirmation lists the Arabic changes, marked as Arabic text
    page = (await admin.get(`/admin/pakke/${draftId}`)).text;
    const confirm = await admin.post(`/admin/pakke/${draftId}/udgiv`, { csrf: formCsrf(page, `/admin/pakke/${draftId}/udgiv`) });
    assert.equal(confirm.status, 200);
    const diff = decodeEntities(confirm.text);
    assert.match(diff, /Titel \(<span lang="ar" dir="rtl">العربية<\/span>\)/);
    assert.ok(diff.includes(`<p class="vejled-diff-text" lang="ar" dir="rtl">${newTitle}</p>`), 'the new Arabic title, marked right-to-left');
    assert.ok(diff.includes(newOption));
    assert.match(diff, /Skriftlig vejledning \(<span lang="ar" dir="rtl">العربية<\/span>\)/);
    assert.ok(!/Titel \(engelsk\)/.test(diff), 'no English change is listed');
    r = await admin.post(`/admin/pakke/${draftId}/udgiv`, { csrf: formCsrf(confirm.text, `/admin/pakke/${draftId}/udgiv`), confirm: 'ja' });
    assert.equal(r.status, 303);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${draftId}`), 'published');

    // a citizen in Arabic sees the new texts; the cleared summary falls back to Danish
    const ar = await citizenIn(s, 'ar');
    const video = decodeEntities((await ar.get('/borger/video/1')).text);
    assert.ok(video.includes(newTitle), 'the new Arabic title');
    assert.ok(video.includes(newOption), 'the new Arabic option');
    assert.ok(!video.includes(PACK.translations.ar[`v.${v.slug}.title`]), 'not the old Arabic title');
    // an English citizen: the English title as before
    const enB = await citizenIn(s, 'en');
    const enVideo = decodeEntities((await enB.get('/borger/video/1')).text);
    assert.ok(enVideo.includes(v.title.en), 'the English title unchanged');
    assert.ok(!enVideo.includes(newTitle));
  });

  it('a long text in Arabic script saves (its form is many times its letters once encoded)', async () => {
    const id = await draftOf(s, admin, 'dagpenge');
    const action = `/admin/pakke/${id}/sprog/ar/video/2`;
    const page = (await admin.get(action)).text;
    const long = 'هذا نص طويل عن الحقوق والواجبات. '.repeat(300); // about 18 KB, 50 KB encoded
    const body = new URLSearchParams(set(formFields(page, action), 'transcript', long)).toString();
    assert.ok(body.length > 40000, `the form is ${body.length} bytes`);
    const r = await admin.post(action, set(formFields(page, action), 'transcript', long));
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const tr = JSON.parse(one(s.db, `SELECT translations FROM packs WHERE id = ${id}`));
    assert.equal(tr.ar[`v.${PACK.videos[1].slug}.transcript`], long.replace(/\r\n/g, '\n'));
  });

  it('removing an option takes its Arabic text along; the later options keep theirs', async () => {
    const id = await draftOf(s, admin, 'dagpenge');
    let r;
    const v = PACK.videos[0];
    const q = v.questions.find((x) => x.options.length >= 3);
    const qn = v.questions.indexOf(q) + 1;
    const key = (o) => `v.${v.slug}.q.${q.slug}.o${o}`;
    const before = JSON.parse(one(s.db, `SELECT translations FROM packs WHERE id = ${id}`)).ar;
    const page = (await admin.get(`/admin/pakke/${id}/video/1`)).text;
    const action = `/admin/pakke/${id}/video/1/spoergsmaal/${qn}/svar/1/fjern`;
    r = await admin.post(action, { csrf: formCsrf(page, action), confirm: 'ja' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const after = JSON.parse(one(s.db, `SELECT translations FROM packs WHERE id = ${id}`)).ar;
    assert.equal(after[key(1)], before[key(2)], 'option 2 became option 1, with its text');
    assert.equal(after[key(q.options.length - 1)], before[key(q.options.length)]);
    assert.ok(!(key(q.options.length) in after), 'no text left for an option that is gone');
    // removing the video takes every text of it
    const dpage = (await admin.get(`/admin/pakke/${id}`)).text;
    r = await admin.post(`/admin/pakke/${id}/video/1/fjern`, { csrf: formCsrf(dpage, `/admin/pakke/${id}/video/1/fjern`), confirm: 'ja' });
    assert.equal(r.status, 303);
    const gone = JSON.parse(one(s.db, `SELECT translations FROM packs WHERE id = ${id}`)).ar;
    assert.ok(!Object.keys(gone).some((k) => k.startsWith(`v.${v.slug}.`)), 'no text of the removed video');
    assert.ok(Object.keys(gone).length > 0);
  });

  it('the target group\'s name in Arabic: edited beside the group\'s Danish name, one line only, shown in the difference and on the citizen\'s pages once published', async () => {
    const id = await draftOf(s, admin, 'sygedagpenge');
    const action = `/admin/pakke/${id}/sprog/ar`;
    let page = (await admin.get(action)).text;
    assert.match(control(page, 'group_name'), /lang="ar"[^>]*dir="rtl"/);
    assert.ok(decodeEntities(page).includes('Sygedagpenge'), 'the Danish name beside it');
    // a line break is refused and nothing is stored
    const before = one(s.db, `SELECT translations FROM packs WHERE id = ${id}`);
    let r = await admin.post(action, set(formFields(page, action), 'group_name', 'سطر\nسطر'));
    assert.equal(r.status, 422);
    assertSummaryOnTop(r.text, ['group_name']);
    assert.match(decodeEntities(r.text), /Skriv målgruppens navn på én linje/);
    assert.equal(one(s.db, `SELECT translations FROM packs WHERE id = ${id}`), before);
    const name = 'إعانة المرض (اسم جديد)';
    r = await admin.post(action, set(formFields(page, action), 'group_name', name));
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(JSON.parse(one(s.db, `SELECT translations FROM packs WHERE id = ${id}`)).ar['group.name'], name);
    page = (await admin.get(`/admin/pakke/${id}`)).text;
    const confirm = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(page, `/admin/pakke/${id}/udgiv`) });
    assert.equal(confirm.status, 200);
    const diff = decodeEntities(confirm.text);
    assert.match(diff, /Målgruppens navn \(<span lang="ar" dir="rtl">العربية<\/span>\)/);
    assert.ok(diff.includes(name));
    r = await admin.post(`/admin/pakke/${id}/udgiv`, { csrf: formCsrf(confirm.text, `/admin/pakke/${id}/udgiv`), confirm: 'ja' });
    assert.equal(r.status, 303);
    const res = await s.api('POST', '/api/v1/enrolments', { body: enrolBody(freshCpr(), { language: 'ar', target_group: 'sygedagpenge' }) });
    assert.equal(res.status, 201, res.text);
    const ar = new Browser(s);
    assert.equal((await ar.get(new URL(res.json.link).pathname)).status, 303);
    assert.ok(decodeEntities((await ar.get('/borger')).text).includes(name), 'the citizen reads the new name');
  });
});
