// Limits that must agree with each other: a pack holds a video to the questions a citizen
// can answer in one form and a question to the options an answer can choose (the pack
// files and the editor refuse more, changing nothing); the editor's forms take every text
// at its limit, counted in characters (not bytes) as the pack files and publishing count
// it; a meeting note is counted in characters by the API and the staff form alike.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Browser, ROOT, cli, decodeEntities, parseForms, sqlite, startServer, tableCounts } from './harness.mjs';
import {
  assertSummaryOnTop, enrolCitizen, errorSummary, formCsrf, formFields, hiddenFields, ini, meetingNow, setField, staff,
} from './staffkit.mjs';

const one = (db, sql) => sqlite(db, sql).trim();
const MAX_QUESTIONS = 32;
const MAX_OPTIONS = 16;

const encodedLength = (fields) => new URLSearchParams(fields).toString().length;
/* What the pack editor's forms take at the default [staff] max_content_text (README: Form
 * body limits). */
const EDITOR_BODY = 9_657_836;
const MAX_TEXT = 20_000;
/* A character of four bytes in UTF-8 (U+1F600), twelve form-encoded. */
const WIDE = '\u{1F600}';

/* A server whose demo content is a copy of db/demo in its own folder (the tests write pack
 * files there), with an administrator signed in. */
async function editorServer() {
  const s = await startServer({ config: ini({ content: { demo_dir: '{dir}/demo' } }) });
  const demo = path.join(s.dir, 'demo');
  fs.cpSync(path.join(ROOT, 'db', 'demo'), demo, { recursive: true });
  return { s, demo, admin: await staff(s, 'admin') };
}
const writePack = (demo, pack) => fs.writeFileSync(path.join(demo, 'packs', 'dagpenge.json'), JSON.stringify(pack));
const loadDemo = (s) => cli(['demo', '--db', s.db, '--config', s.configFile]);
/* every table's row count but the access log's (reading a page writes one) */
const counts = (s) => {
  const c = tableCounts(s.db);
  delete c.access_log;
  return c;
};

/** The demo's dagpenge pack with video 1 asking n questions (the added ones multiple-choice)
 * of at least options options each. */
function dagpenge(n, options = 3) {
  const pack = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
  const v = pack.videos[0];
  for (let i = v.questions.length; i < n; i++) {
    v.questions.push({ ...structuredClone(v.questions[1]), slug: `ekstra-${i + 1}` });
  }
  v.questions.length = n;
  for (const q of v.questions) {
    while (q.options.length < options) q.options.push({ text: { da: `Svar ${q.options.length + 1}` }, correct: false });
  }
  return pack;
}

describe('a video asks no more questions than a citizen can answer, a question offers no more options than can be chosen', () => {
  let s;
  let admin;
  let demo;
  let draft;

  before(async () => {
    ({ s, demo, admin } = await editorServer());
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('a pack file with 33 questions on a video, or 17 options on a question, is refused by `vejled demo`, naming it; nothing is stored', () => {
    const before = counts(s);
    writePack(demo, dagpenge(MAX_QUESTIONS + 1));
    let r = loadDemo(s);
    assert.notEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /dagpenge\.json: videos\[0\]\.questions has 33 questions; a video has at most 32/);
    assert.deepEqual(counts(s), before);
    writePack(demo, dagpenge(3, MAX_OPTIONS + 1));
    r = loadDemo(s);
    assert.notEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /videos\[0\]\.questions\[0\]\.options has 17 options; a question has at most 16/);
    assert.deepEqual(counts(s), before);
  });

  it('32 questions and 16 options load, and the whole video form saves them', async () => {
    writePack(demo, dagpenge(MAX_QUESTIONS, MAX_OPTIONS));
    const r = loadDemo(s);
    assert.equal(r.status, 0, r.stderr);
    const page = await admin.get('/admin/pakker');
    const made = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(page.text, '/admin/pakker/dagpenge/kladde') });
    assert.equal(made.status, 303);
    draft = Number(/(\d+)$/.exec(made.headers.location)[1]);
    const action = `/admin/pakke/${draft}/video/1`;
    const form = await admin.get(action);
    assert.equal(form.status, 200);
    const fields = formFields(form.text, action);
    assert.ok(fields.length > 200, `more fields than [server] max_form_fields: ${fields.length}`);
    setField(fields, 'title_da', 'Rådighed, alle spørgsmål');
    const saved = await admin.post(action, fields);
    assert.equal(saved.status, 303, saved.text.slice(0, 500));
    assert.equal(one(s.db, `SELECT title_da FROM videos WHERE pack_id = ${draft} AND position = 1`), 'Rådighed, alle spørgsmål');
  });

  it('a citizen answers all 32 questions at once, choosing every option of the multiple-choice ones', async () => {
    const e = await enrolCitizen(s);
    const b = new Browser(s);
    assert.equal((await b.get(e.path)).status, 303);
    const page = await b.get('/borger/video/1');
    assert.equal(page.status, 200);
    const form = parseForms(page.text).find((f) => f.action === '/borger/video/1');
    const fields = [];
    const seen = new Set();
    for (const i of form.inputs) {
      if (i.name === 'csrf') fields.push([i.name, i.value]);
      else if (i.name === 'ask' || (/^q\d+$/.test(i.name) && (i.type === 'checkbox' || !seen.has(i.name)))) {
        seen.add(i.name);
        fields.push([i.name, i.value]);
      }
    }
    assert.equal([...seen].filter((n) => n !== 'ask').length, MAX_QUESTIONS);
    assert.ok(fields.length > 200, `more fields than [server] max_form_fields: ${fields.length}`);
    const r = await b.post('/borger/video/1', fields);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const j = await s.api('GET', `/api/v1/citizens/${e.citizen_id}/journal`);
    const sub = j.json.entries.find((x) => x.kind === 'answers_submitted');
    assert.equal(sub.data.answers.length, MAX_QUESTIONS);
  });

  it('the editor refuses a 33rd question, saying why in the error summary; nothing changes', async () => {
    const action = `/admin/pakke/${draft}/video/1/spoergsmaal/ny`;
    const page = await admin.get(action);
    assert.equal(page.status, 200);
    const said = errorSummary(page.text);
    assert.equal(said.length, 1, 'said before anything is typed');
    assert.match(said[0].text, /Videoen har allerede 32 spørgsmål/);
    const before = counts(s);
    const r = await admin.post(action, {
      csrf: formCsrf(page.text, action), text_da: 'Et spørgsmål mere?', kind: 'single', topic_da: 'Rådighed', explanation_da: 'Fordi.',
    });
    assert.equal(r.status, 422);
    const sum = assertSummaryOnTop(r.text, ['text_da']);
    assert.match(sum[0].text, /32 spørgsmål\. Flere kan en borger ikke svare på ad gangen/);
    assert.deepEqual(counts(s), before);
    assert.equal(one(s.db, `SELECT count(*) FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${draft} AND v.position = 1`), String(MAX_QUESTIONS));
  });

  it('the editor refuses a 17th option, saying why in the error summary; nothing changes', async () => {
    const action = `/admin/pakke/${draft}/video/1/spoergsmaal/1/svar/ny`;
    const page = await admin.get(action);
    assert.equal(page.status, 200);
    const before = counts(s);
    const r = await admin.post(action, { csrf: formCsrf(page.text, action), text_da: 'Et svar mere' });
    assert.equal(r.status, 422);
    const sum = assertSummaryOnTop(r.text, ['text_da']);
    assert.match(sum[0].text, /allerede 16 svarmuligheder/);
    assert.deepEqual(counts(s), before);
    // a question with room (on video 2) takes one
    const room = `/admin/pakke/${draft}/video/2/spoergsmaal/1/svar/ny`;
    const ok = await admin.post(room, { csrf: formCsrf((await admin.get(room)).text, room), text_da: 'Et svar mere' });
    assert.equal(ok.status, 303, ok.text.slice(0, 500));
  });

  it('a stored draft over the limits is not published: the error summary says which', async () => {
    // the 33rd question behind the editor's back, as an older version could have stored it
    const v = one(s.db, `SELECT id FROM videos WHERE pack_id = ${draft} AND position = 1`);
    sqlite(s.db, `INSERT INTO questions (video_id, position, slug, kind, topic_key, topic_da, topic_en, text_da, text_en, explanation_da, explanation_en)
      SELECT video_id, ${MAX_QUESTIONS + 1}, 'en-for-meget', kind, topic_key, topic_da, topic_en, text_da, text_en, explanation_da, explanation_en
      FROM questions WHERE video_id = ${v} AND position = 2`);
    const q = one(s.db, `SELECT id FROM questions WHERE video_id = ${v} AND position = ${MAX_QUESTIONS + 1}`);
    sqlite(s.db, `INSERT INTO options (question_id, position, text_da, text_en, correct) SELECT ${q}, position, text_da, text_en, correct FROM options WHERE question_id = (SELECT id FROM questions WHERE video_id = ${v} AND position = 2)`);
    const d = await admin.get(`/admin/pakke/${draft}`);
    const r = await admin.post(`/admin/pakke/${draft}/udgiv`, { csrf: formCsrf(d.text, `/admin/pakke/${draft}/udgiv`) });
    assert.equal(r.status, 422);
    const sum = assertSummaryOnTop(r.text, ['publish']);
    assert.match(sum[0].text, /En video har flere end 32 spørgsmål/);
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${draft}`), 'draft');
  });
});

describe('the video editor takes every text at its limit', () => {
  let s;
  let admin;
  let draft;
  let action;
  let fields;
  before(async () => {
    s = await startServer();
    admin = await staff(s, 'admin');
    const page = await admin.get('/admin/pakker');
    const made = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(page.text, '/admin/pakker/dagpenge/kladde') });
    draft = Number(/(\d+)$/.exec(made.headers.location)[1]);
    action = `/admin/pakke/${draft}/video/1`;
  });
  after(async () => {
    if (s) await s.cleanup();
  });
  const freshFields = async () => formFields((await admin.get(action)).text, action);
  const video = (col) => one(s.db, `SELECT ${col} FROM videos WHERE pack_id = ${draft} AND position = 1`);

  it('Danish captions of 18,008 bytes (within max_content_text; each "ø" six bytes form-encoded) are saved', async () => {
    const captions = `WEBVTT\n${'ø'.repeat(9000)}x`;
    assert.equal(Buffer.byteLength(captions), 18_008);
    fields = setField(await freshFields(), 'captions_da', captions);
    assert.ok(encodedLength(fields) > 32_768, 'more than [server] max_body_form');
    const r = await admin.post(action, fields);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(video('captions_da'), captions);
  });

  it('two transcripts of 17,000 bytes each are saved', async () => {
    const da = `${'Rådighed. '.repeat(1545)}xxxxx`;
    const en = 'You must be available. '.repeat(800).slice(0, 17_000);
    assert.equal(Buffer.byteLength(da), 17_000);
    assert.equal(Buffer.byteLength(en), 17_000);
    fields = setField(setField(await freshFields(), 'transcript_da', da), 'transcript_en', en);
    const r = await admin.post(action, fields);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(video('transcript_da'), da);
    assert.equal(video('transcript_en'), en);
  });

  it('a body over what the form may hold is 413 and changes nothing; one at the limit is read', async () => {
    // README: 4 × (32 + 12 × max_content_text) + the rest of the video + 32 questions of 16
    // options, every text at its limit in characters of four bytes, every byte
    // percent-encoded: 9,657,836 bytes at the default 20000
    const limit = EDITOR_BODY;
    const before = tableCounts(s.db);
    const title = video('title_da');
    const head = (len) => `POST ${action} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${admin.headers().Cookie}\r\n` +
      `Origin: ${s.origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${len}\r\n\r\n`;
    // refused on its declared length, before a byte of the body
    const r = await s.raw(head(limit + 1), { timeoutMs: 5000 });
    assert.equal(r.status, 413, r.raw.slice(0, 300));
    assert.equal(video('title_da'), title);
    const after = tableCounts(s.db);
    delete before.access_log; delete after.access_log;
    assert.deepEqual(after, before);
    // at the limit it is read (the unknown field ignored) and saved
    const at = [...setField(await freshFields(), 'title_da', 'Ændret'), ['pad', '']];
    at[at.length - 1] = ['pad', 'x'.repeat(limit - encodedLength(at))];
    assert.equal(encodedLength(at), limit);
    assert.equal((await admin.post(action, at)).status, 303);
    assert.equal(video('title_da'), 'Ændret');
  });
});

describe('a meeting note is counted in characters by the API and the staff form alike', () => {
  let s;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('a note of 2,000 "æ" recorded through the API is saved unchanged by the staff meeting form', async () => {
    const e = await enrolCitizen(s);
    const note = 'æ'.repeat(2000);
    const r = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, {
      body: { held_at: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z'), oral_guidance: true, note },
    });
    assert.equal(r.status, 200, r.text);
    const cw = await staff(s, 'cw1');
    const action = `/medarbejder/borger/${e.citizen_id}/moede`;
    const page = await cw.get(`${action}?forloeb=${e.enrolment_id}`);
    assert.equal(page.status, 200);
    const prefilled = formFields(page.text, action).find(([n]) => n === 'note');
    assert.equal(prefilled[1], note, 'the form starts from the recorded note');
    const { csrf, forloeb } = hiddenFields(page.text, action);
    const saved = await cw.post(action, { csrf, forloeb, ...meetingNow(), mundtlig: 'ja', note: prefilled[1] });
    assert.equal(saved.status, 303, saved.text.slice(0, 500));
    const m = (await s.api('GET', `/api/v1/enrolments/${e.enrolment_id}`)).json.meeting;
    assert.equal(m.note, note);
    assert.equal(m.recorded_by, 'cw1');
    // and one character more is refused by both, with the limit in words on the form
    const more = 'æ'.repeat(4001);
    const api = await s.api('POST', `/api/v1/enrolments/${e.enrolment_id}/meeting`, { body: { held_at: m.held_at, oral_guidance: true, note: more } });
    assert.equal(api.status, 422);
    const form = await cw.post(action, { csrf, forloeb, ...meetingNow(), mundtlig: 'ja', note: more });
    assert.equal(form.status, 422);
    const sum = assertSummaryOnTop(form.text, ['note']);
    assert.match(sum[0].text, /højst 4000 tegn/);
    assert.equal((await s.api('GET', `/api/v1/enrolments/${e.enrolment_id}`)).json.meeting.note, note);
  });
});

describe('the editor counts every limit it names in characters, as publishing and the pack files do', () => {
  let s;
  let admin;
  let demo;
  let draft;
  /* every row of the draft: what a refused form must leave as it was */
  const rows = (id) => sqlite(s.db, `SELECT * FROM packs WHERE id = ${id};
    SELECT * FROM videos WHERE pack_id = ${id} ORDER BY position;
    SELECT q.* FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${id} ORDER BY v.position, q.position;
    SELECT o.* FROM options o JOIN questions q ON q.id = o.question_id JOIN videos v ON v.id = q.video_id
      WHERE v.pack_id = ${id} ORDER BY v.position, q.position, o.position;`);
  const valueOf = async (action, field) => formFields((await admin.get(action)).text, action).find(([n]) => n === field)?.[1];
  const newDraft = async () => {
    const page = await admin.get('/admin/pakker');
    const made = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(page.text, '/admin/pakker/dagpenge/kladde') });
    assert.equal(made.status, 303);
    return Number(/(\d+)$/.exec(made.headers.location)[1]);
  };

  before(async () => {
    ({ s, demo, admin } = await editorServer());
    draft = await newDraft();
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('each form saves a text of exactly its limit in æ, ø, å or Arabic (more bytes than characters) and refuses one character more with "højst N tegn", saving nothing', async () => {
    const video = `/admin/pakke/${draft}/video/1`;
    const pack = `/admin/pakke/${draft}`;
    const arabic = `/admin/pakke/${draft}/sprog/ar/video/1`;
    /* a textarea sends its line breaks as CRLF; the limit counts the text as stored (LF) */
    const lines = (ch, n) => Array.from({ length: n / 100 }, () => ch.repeat(99)).join('\r\n') + ch;
    for (const [action, field, max, text, message] of [
      [video, 'title_da', 200, 'ø'.repeat(200), /^Titel \(dansk\): Teksten er for lang – højst 200 tegn$/],
      [video, 'summary_en', 1000, 'æ'.repeat(1000), /^Kort beskrivelse \(engelsk\): Teksten er for lang – højst 1000 tegn$/],
      [video, 'transcript_da', MAX_TEXT, lines('å', MAX_TEXT), /^Tekstversion \(dansk\): Teksten er for lang – højst 20000 tegn$/],
      [video, 'q1_text', 1000, 'æ'.repeat(1000), /^Spørgsmål 1: Skriv spørgsmålet \(højst 1000 tegn\)$/],
      [video, 'q1_text_en', 1000, 'ø'.repeat(1000), /^Spørgsmål 1 \(engelsk\): Teksten er for lang – højst 1000 tegn$/],
      [video, 'q1_topic', 200, 'å'.repeat(200), /^Spørgsmål 1: Emne \(dansk\): Skriv emnet \(højst 200 tegn\)$/],
      [video, 'q1_explanation_en', 2000, 'ø'.repeat(2000), /^Spørgsmål 1: Forklaring af det rigtige svar \(engelsk\): Teksten er for lang – højst 2000 tegn$/],
      [video, 'q1_o1', 500, 'å'.repeat(500), /^Spørgsmål 1: Svarmulighed 1: Skriv svarmuligheden \(højst 500 tegn\)$/],
      [video, 'q1_o2_en', 500, 'æ'.repeat(500), /^Spørgsmål 1: Svarmulighed 2 \(engelsk\): Teksten er for lang – højst 500 tegn$/],
      [pack, 'legal_basis', 500, 'æ'.repeat(500), /^Teksten er for lang – højst 500 tegn$/],
      [pack, 'guidance_da', MAX_TEXT, lines('ø', MAX_TEXT), /^Teksten er for lang – højst 20000 tegn$/],
      [arabic, 'title', 200, 'ب'.repeat(200), /^Teksten er for lang – højst 200 tegn$/],
      [arabic, 'q1_o1', 500, 'ج'.repeat(500), /^Teksten er for lang – højst 500 tegn$/],
    ]) {
      const stored = text.replace(/\r\n/g, '\n');
      assert.equal([...stored].length, max);
      assert.ok(Buffer.byteLength(stored) > max, 'more bytes than characters');
      const fields = formFields((await admin.get(action)).text, action);
      const ok = await admin.post(action, setField([...fields], field, text));
      assert.equal(ok.status, 303, `${field} at ${max} characters: ${ok.text.slice(0, 300)}`);
      assert.equal(await valueOf(action, field), stored, `${field} saved as sent`);
      const before = rows(draft);
      const more = await admin.post(action, setField([...fields], field, `${text}æ`));
      assert.equal(more.status, 422, `${field} at ${max + 1} characters`);
      const said = assertSummaryOnTop(more.text, [field]).find((e) => e.field === field);
      assert.match(said.text, message);
      assert.equal(rows(draft), before, `nothing saved for ${field}`);
      if (field === 'title_da') { // the heading names the video as it still is, not the refused title
        const h1 = decodeEntities(/<h1>([\s\S]*?)<\/h1>/.exec(more.text)[1]);
        assert.equal(h1, `Video 1: ${stored}`);
      }
    }
  });

  it('the form that adds a question takes every text at its limit, four bytes a character (more than [server] max_body_form); one more is refused', async () => {
    const action = `/admin/pakke/${draft}/video/2/spoergsmaal/ny`;
    const csrf = formCsrf((await admin.get(action)).text, action);
    const q = {
      csrf, kind: 'single', text_da: WIDE.repeat(1000), text_en: WIDE.repeat(1000), topic_da: WIDE.repeat(200),
      topic_en: WIDE.repeat(200), explanation_da: WIDE.repeat(2000), explanation_en: WIDE.repeat(2000),
    };
    assert.ok(encodedLength(q) > 32_768);
    const before = counts(s);
    const over = await admin.post(action, { ...q, topic_da: WIDE.repeat(201) });
    assert.equal(over.status, 422);
    assert.match(assertSummaryOnTop(over.text, ['topic_da'])[0].text, /^Teksten er for lang – højst 200 tegn$/);
    assert.deepEqual(counts(s), before);
    let r = await admin.post(action, q);
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(counts(s).questions, before.questions + 1);
    const n = one(s.db, `SELECT max(q.position) FROM questions q JOIN videos v ON v.id = q.video_id
      WHERE v.pack_id = ${draft} AND v.position = 2`);
    assert.equal(one(s.db, `SELECT q.explanation_en FROM questions q JOIN videos v ON v.id = q.video_id
      WHERE v.pack_id = ${draft} AND v.position = 2 AND q.position = ${n}`), q.explanation_en);
    // removed again: a question without options cannot be published (the next test publishes)
    const remove = `/admin/pakke/${draft}/video/2/spoergsmaal/${n}/fjern`;
    const videoPage = (await admin.get(`/admin/pakke/${draft}/video/2`)).text;
    r = await admin.post(remove, { csrf: formCsrf(videoPage, remove), confirm: 'ja' });
    assert.equal(r.status, 303);
  });

  it('a pack file is held to the same limits: a text at its limit in characters loads, one character more is refused naming it, storing nothing', () => {
    const pack = JSON.parse(fs.readFileSync(path.join(ROOT, 'db', 'demo', 'packs', 'dagpenge.json'), 'utf8'));
    const v = pack.videos[0];
    v.questions[0].text.da = 'æ'.repeat(1000);
    v.questions[0].options[1].text.en = 'ø'.repeat(500);
    v.title.da = 'å'.repeat(200);
    pack.translations.ar[`v.${v.slug}.title`] = 'ب'.repeat(200);
    pack.legal_basis = 'æ'.repeat(500);
    writePack(demo, pack);
    let r = loadDemo(s);
    assert.equal(r.status, 0, r.stderr);
    const before = counts(s);
    for (const [change, named] of [
      [(p) => { p.videos[0].questions[0].text.da += 'æ'; }, /dagpenge\.json: videos\[0\]\.questions\[0\]\.text\.da is longer than 1000 characters/],
      [(p) => { p.videos[0].questions[0].options[1].text.en += 'ø'; }, /videos\[0\]\.questions\[0\]\.options\[1\]\.text\.en is longer than 500 characters/],
      [(p) => { p.videos[0].title.da += 'å'; }, /videos\[0\]\.title\.da is longer than 200 characters/],
      [(p) => { p.translations.ar[`v.${v.slug}.title`] += 'ب'; }, /translations\.ar\.v\.raadighed\.title is longer than 200 characters/],
      [(p) => { p.legal_basis += 'æ'; }, /legal_basis is longer than 500 characters/],
    ]) {
      const over = structuredClone(pack);
      change(over);
      writePack(demo, over);
      r = loadDemo(s);
      assert.notEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, named);
      assert.deepEqual(counts(s), before);
    }
    writePack(demo, pack);
  });

  it('publishing takes the texts at their limits, and refuses a text over its limit stored behind the editor\'s back, naming it', async () => {
    let page = await admin.get(`/admin/pakke/${draft}`);
    let r = await admin.post(`/admin/pakke/${draft}/udgiv`, { csrf: formCsrf(page.text, `/admin/pakke/${draft}/udgiv`), confirm: 'ja' });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${draft}`), 'published');
    const next = await newDraft();
    const q = one(s.db, `SELECT q.id FROM questions q JOIN videos v ON v.id = q.video_id WHERE v.pack_id = ${next} AND v.position = 1 AND q.position = 1`);
    sqlite(s.db, `UPDATE questions SET explanation_da = '${'æ'.repeat(2001)}' WHERE id = ${q}`);
    page = await admin.get(`/admin/pakke/${next}`);
    for (const confirm of [undefined, 'ja']) {
      r = await admin.post(`/admin/pakke/${next}/udgiv`, { csrf: formCsrf(page.text, `/admin/pakke/${next}/udgiv`), ...(confirm ? { confirm } : {}) });
      assert.equal(r.status, 422);
      const sum = assertSummaryOnTop(r.text, ['publish']);
      assert.match(sum[0].text, /^En tekst er for lang – højst 2000 tegn/);
      assert.match(decodeEntities(r.text), /Problemet er i video 1, spørgsmål 1\./i);
      assert.match(decodeEntities(r.text), /Det gælder feltet Forklaring \(dansk\)\./);
      assert.equal(one(s.db, `SELECT state FROM packs WHERE id = ${next}`), 'draft');
    }
  });
});

describe('a pack file with every text at its limit in characters of four bytes loads, and the editor saves its largest form unchanged within its body limit', () => {
  let s;
  let admin;
  let demo;
  const wide = (n) => WIDE.repeat(n);
  const both = (n) => ({ da: wide(n), en: wide(n) });

  before(async () => {
    ({ s, demo, admin } = await editorServer());
  });
  after(async () => {
    if (s) await s.cleanup();
  });

  it('loads, and its whole video form posts back unchanged', async () => {
    const pack = dagpenge(MAX_QUESTIONS, MAX_OPTIONS);
    const v = pack.videos[0];
    pack.legal_basis = wide(500);
    pack.written_guidance = both(MAX_TEXT);
    Object.assign(v, { title: both(200), summary: both(1000), transcript: both(MAX_TEXT), legal_basis: wide(500) });
    for (const lang of ['da', 'en']) {
      fs.writeFileSync(path.join(demo, v.captions[lang]), `WEBVTT\n${wide(MAX_TEXT - 7)}`);
    }
    for (const q of v.questions) {
      Object.assign(q, { text: both(1000), explanation: both(2000) });
      Object.assign(q.topic, both(200));
      for (const o of q.options) o.text = both(500);
    }
    const file = path.join(demo, 'packs', 'dagpenge.json');
    const over = structuredClone(pack);
    over.videos[0].questions[31].options[15].text.en += WIDE;
    fs.writeFileSync(file, JSON.stringify(over));
    let r = loadDemo(s);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /videos\[0\]\.questions\[31\]\.options\[15\]\.text\.en is longer than 500 characters/);
    fs.writeFileSync(file, JSON.stringify(pack));
    r = loadDemo(s);
    assert.equal(r.status, 0, r.stderr);

    const page = await admin.get('/admin/pakker');
    const made = await admin.post('/admin/pakker/dagpenge/kladde', { csrf: formCsrf(page.text, '/admin/pakker/dagpenge/kladde') });
    const draft = Number(/(\d+)$/.exec(made.headers.location)[1]);
    const action = `/admin/pakke/${draft}/video/1`;
    const fields = formFields((await admin.get(action)).text, action);
    assert.equal(fields.find(([n]) => n === 'q32_o16_en')[1], wide(500));
    // within the limit, and near it: the bound is what the fields may hold
    const length = encodedLength(fields);
    assert.ok(length <= EDITOR_BODY && length > 0.99 * EDITOR_BODY, `${length} bytes`);
    r = await admin.post(action, fields);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const draftPage = `/admin/pakke/${draft}`;
    r = await admin.post(draftPage, formFields((await admin.get(draftPage)).text, draftPage));
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(one(s.db, `SELECT guidance_en FROM packs WHERE id = ${draft}`), wide(MAX_TEXT));
    assert.equal(one(s.db, `SELECT transcript_da FROM videos WHERE pack_id = ${draft} AND position = 1`), wide(MAX_TEXT));
  });
});
